import { operationSummaries, secondSample, type LatencyBucket, type LoadOptions, type LoadResult } from './load-result';
import { isFailure } from './requests';
import { summarize } from './stats';

/**
 * The open model for `--rate`: request i starts at i / rate seconds whatever the answers before
 * it did, as real users arrive, and its latency counts from that moment (a request that had to
 * wait for its turn counts the wait, so a stall is not hidden by the requests it held back).
 *
 * Hand-written because no load generator here paces evenly: autocannon's rate cap lets every
 * connection send back to back until it has made its share of the second and then waits for the
 * next second, so at 330 RPS over 64 connections each second began with a burst of 64 requests
 * and its latency was that of a 64-deep queue, not of the rate asked for; wrk has no rate cap
 * (wrk2 and k6 are not installed). Requests go over Bun's fetch (keep-alive pool).
 *
 * At most `maxInFlight` requests are open at once; one due while that many are open is not sent
 * and counts as a failure ("dropped"), so an overloaded system shows up as failures instead of
 * an unbounded pile of open requests.
 */
export async function runPaced(
  options: LoadOptions,
  rate: number,
  maxInFlight: number,
  durationSec: number,
): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const intervalMs = 1000 / rate;
  const total = Math.round(rate * durationSec);
  const seconds: LatencyBucket[] = [];
  const byOperation = new Map<string, LatencyBucket>();
  const latencies: number[] = [];
  const failureSamples: LoadResult['failureSamples'] = [];
  let failures = 0;
  let dropped = 0;
  let timeouts = 0;
  let transportErrors = 0;
  let inFlight = 0;
  const open = new Set<Promise<void>>();
  const started = performance.now();

  const record = (operation: string, dueMs: number, latencyMs: number | null, failed: boolean) => {
    const second = (seconds[Math.floor(dueMs / 1000)] ??= { latencies: [], failures: 0 });
    const entry = byOperation.get(operation) ?? { latencies: [], failures: 0 };
    byOperation.set(operation, entry);
    if (latencyMs !== null) {
      latencies.push(latencyMs);
      second.latencies.push(latencyMs);
      entry.latencies.push(latencyMs);
    }
    if (failed) {
      failures++;
      second.failures++;
      entry.failures++;
    }
  };

  async function send(dueMs: number) {
    const prepared = options.next();
    inFlight++;
    try {
      const response = await fetch(new URL(prepared.path, options.url), {
        method: prepared.method,
        headers: prepared.headers,
        body: prepared.body,
        signal: AbortSignal.timeout(10_000),
      });
      const body = await response.text();
      const failed = isFailure(response.status, body, prepared.expectedErrors);
      if (failed && failureSamples.length < 5)
        failureSamples.push({ operation: prepared.operation, status: response.status, body: body.slice(0, 500) });
      record(prepared.operation, dueMs, performance.now() - started - dueMs, failed);
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') timeouts++;
      else transportErrors++;
      record(prepared.operation, dueMs, null, true);
    } finally {
      inFlight--;
    }
  }

  let reported = 0;
  for (let index = 0; index < total; index++) {
    const dueMs = index * intervalMs;
    const waitMs = dueMs - (performance.now() - started);
    // Timers fire at millisecond grain: at high rates a few requests share a tick. Behind schedule
    // every due request goes at once, yielding now and then so answers are still read.
    if (waitMs > 0) await Bun.sleep(waitMs);
    else if (index % 64 === 0) await Bun.sleep(0);
    for (; reported < Math.floor((performance.now() - started) / 1000) - 1; reported++)
      options.onTick?.(secondSample(seconds, reported), reported + 1);
    if (inFlight >= maxInFlight) {
      dropped++;
      record('(dropped)', dueMs, null, true);
      continue;
    }
    const request = send(dueMs);
    open.add(request);
    request.finally(() => open.delete(request));
  }
  await Promise.all(open);

  const cpu = process.cpuUsage(cpuBefore);
  const elapsedSec = (performance.now() - started) / 1000;
  if (dropped && failureSamples.length < 5)
    failureSamples.push({ operation: '(dropped)', status: 0, body: `${dropped} due with ${maxInFlight} open` });
  return {
    requests: total,
    failures,
    durationSec: Math.min(elapsedSec, durationSec + 1),
    latency: summarize(latencies),
    perSecond: seconds.map((_, index) => secondSample(seconds, index)).filter((s) => s.requests > 0 || s.failures > 0),
    byOperation: operationSummaries(byOperation),
    failureSamples,
    transportErrors,
    timeouts,
    generator: {
      name: 'paced',
      cpuSec: (cpu.user + cpu.system) / 1e6,
      note: `paced at ${rate} RPS (open model, Bun fetch), in the lab's own process${dropped ? `; ${dropped} dropped` : ''}`,
    },
  };
}
