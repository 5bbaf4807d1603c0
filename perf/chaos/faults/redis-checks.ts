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
  const recovery = cacheDegradedMs(run, options.usableAtMs);
  const hitsBefore = between(run.outcomes, 0, run.fromMs).filter((o) => o.cache === 'HIT').length;
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
        `${hitsBefore} hits before the fault; hits every second again ${recovery === null ? 'never' : `${(recovery / 1000).toFixed(1)} s`} after ${options.usableAtMs === run.fromMs ? 'the fault' : 'Redis was usable again'}`,
      ),
    ],
  };
}

/**
 * How long after `fromMs` caching stayed degraded: the end of the last second without a single
 * cache hit among the seconds that sent requests the cache answers (x-cache header); null if
 * the last such second had none.
 */
function cacheDegradedMs(run: LoadedRun, fromMs: number): number | null {
  const seconds = new Map<number, number>();
  // Whole seconds only: the load stops mid-second, and a last sliver of a few requests without a
  // hit says nothing about the cache.
  const endMs = Math.max(fromMs, ...run.outcomes.map((o) => o.sentAt));
  const wholeSeconds = Math.floor((endMs - fromMs) / 1000);
  for (const o of between(run.outcomes, fromMs)) {
    if (!o.cache) continue;
    const second = Math.floor((o.sentAt - fromMs) / 1000);
    if (second >= wholeSeconds) continue;
    seconds.set(second, (seconds.get(second) ?? 0) + (o.cache === 'HIT' ? 1 : 0));
  }
  const withoutHits = [...seconds].filter(([, hits]) => hits === 0).map(([second]) => second);
  const last = Math.max(...seconds.keys());
  if (!seconds.size || withoutHits.includes(last)) return null;
  return withoutHits.length ? (Math.max(...withoutHits) + 1) * 1000 : 0;
}
