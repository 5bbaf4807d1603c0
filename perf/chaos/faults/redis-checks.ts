import { between, check, noErrors, noServerErrors, type Check } from '../analysis';
import type { LoadedRun } from '../fault';

/** Seconds after the fault's start the clients may take to notice it (connection timeouts). */
const NOTICE_MS = 2_000;

/**
 * What a Redis outage may do, and no more: no HTTP 5xx and no failed request (the cache is
 * bypassed, reads come from the subgraphs); the rate limiter keeps answering under its
 * RATE_LIMIT_REDIS_DOWN policy (`local`, the default: every answer still carries its
 * RateLimit headers); cache hits come back within `cacheResumeMs` of the Redis being usable.
 */
export function redisOutageChecks(
  run: LoadedRun,
  options: { usableAtMs: number; cacheResumeMs: number },
): { checks: Check[]; recoveryMs: number | null } {
  const during = between(run.outcomes, run.fromMs + NOTICE_MS, run.toMs);
  const limited = during.filter((o) => o.rateLimited).length;
  const hitsBefore = between(run.outcomes, 0, run.fromMs).filter((o) => o.cache === 'HIT').length;
  const windowMs = hitWindowMs(hitsBefore, run.fromMs);
  const recovery = cacheDegradedMs(run, options.usableAtMs, windowMs);
  return {
    recoveryMs: recovery,
    checks: [
      noServerErrors('no HTTP 5xx, every request answered', run.outcomes),
      noErrors('no failed request (cache bypassed)', run.outcomes),
      check(
        'rate limiter follows RATE_LIMIT_REDIS_DOWN=local (still limits, per process)',
        during.length > 0 && limited === during.length,
        `${limited} of ${during.length} answers during the outage carry RateLimit headers`,
      ),
      check(
        `cache hits resume within ${options.cacheResumeMs / 1000} s`,
        hitsBefore > 0 && recovery !== null && recovery <= options.cacheResumeMs,
        `${hitsBefore} hits before the fault; hits in every ${windowMs / 1000} s again ${recovery === null ? 'never' : `${(recovery / 1000).toFixed(1)} s`} after ${options.usableAtMs === run.fromMs ? 'the fault' : 'Redis was usable again'}`,
      ),
    ],
  };
}

/** Hits a window should hold, at the hit rate before the fault, so that one without any is news. */
const EXPECTED_HITS_PER_WINDOW = 8;
/** At most: CI's phases after a fault last 9 s, which must hold two whole windows. */
const MAX_WINDOW_SECONDS = 4;

/**
 * The window the recovery is judged over: a whole number of seconds (1 to 4) in which the hit rate
 * seen before the fault gives about eight hits. At CI's low rate hits are two or three per second,
 * and a second without one happens by chance about one time in ten (Poisson): "a hit every
 * second" failed runs in which the cache was fine, while a 4 s window at that rate stays empty by
 * chance about once in ten thousand. At the full suite's rate this is one second.
 */
export function hitWindowMs(hitsBefore: number, beforeMs: number): number {
  const perSecond = hitsBefore / Math.max(beforeMs / 1000, 1);
  if (perSecond <= 0) return 1000;
  return Math.min(MAX_WINDOW_SECONDS, Math.max(1, Math.ceil(EXPECTED_HITS_PER_WINDOW / perSecond))) * 1000;
}

/**
 * How long after `fromMs` caching stayed degraded: the end of the last window (of `windowMs`)
 * without a single cache hit among the windows that sent requests the cache answers (x-cache
 * header); null if the last such window had none.
 */
export function cacheDegradedMs(run: Pick<LoadedRun, 'outcomes'>, fromMs: number, windowMs: number): number | null {
  const windows = new Map<number, number>();
  // Whole windows only: the load stops mid-window, and a last sliver of a few requests without a
  // hit says nothing about the cache.
  const endMs = Math.max(fromMs, ...run.outcomes.map((o) => o.sentAt));
  const wholeWindows = Math.floor((endMs - fromMs) / windowMs);
  for (const o of between(run.outcomes, fromMs)) {
    if (!o.cache) continue;
    const window = Math.floor((o.sentAt - fromMs) / windowMs);
    if (window >= wholeWindows) continue;
    windows.set(window, (windows.get(window) ?? 0) + (o.cache === 'HIT' ? 1 : 0));
  }
  const withoutHits = [...windows].filter(([, hits]) => hits === 0).map(([window]) => window);
  const last = Math.max(...windows.keys());
  if (!windows.size || withoutHits.includes(last)) return null;
  return withoutHits.length ? (Math.max(...withoutHits) + 1) * windowMs : 0;
}
