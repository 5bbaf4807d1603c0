import autocannon from 'autocannon';
import {
  operationSummaries,
  secondSample,
  type LatencyBucket,
  type LoadDriver,
  type LoadOptions,
  type LoadResult,
} from './load-result';
import { isFailure, type PreparedRequest } from './requests';
import { runPaced } from './paced';
import { summarize } from './stats';
import { runWrk } from './wrk/run';

export type { LoadDriver, LoadOptions, LoadResult, SecondSample } from './load-result';

/** paced for a rate cap; otherwise wrk when it is installed, autocannon when not. */
export function defaultDriver(rate: number | undefined): LoadDriver {
  if (rate) return 'paced';
  return Bun.which('wrk') ? 'wrk' : 'autocannon';
}

/** Refuses anything but loopback: loads in this lab never leave the machine. */
export function assertLoopback(url: string) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
    throw new Error(`refusing to load ${url}: the lab only targets loopback`);
}

/**
 * Drives a scenario with the driver asked for (wrk, paced) or autocannon (closed model:
 * `connections` in flight; optional overall rate cap, in bursts) and records every response's latency by second and by operation. Failures are HTTP
 * errors, unexpected GraphQL errors, transport errors and timeouts.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  assertLoopback(options.url);
  const connections = options.connections ?? options.scenario.load.connections;
  const durationSec = options.durationSec ?? options.scenario.load.durationSec;
  const rate = options.rate ?? options.scenario.load.rate;
  if (options.driver === 'wrk') {
    if (rate) throw new Error('wrk cannot cap the rate: use --driver autocannon with --rate');
    return runWrk(options, connections, durationSec);
  }
  if (options.driver === 'paced' || (rate && options.driver === undefined)) {
    if (!rate) throw new Error('the paced driver needs a rate (--rate)');
    return runPaced(options, rate, connections, durationSec);
  }
  const cpuBefore = process.cpuUsage();
  const latencies: number[] = [];
  const seconds: LatencyBucket[] = [];
  const byOperation = new Map<string, LatencyBucket>();
  const failureSamples: LoadResult['failureSamples'] = [];
  let failures = 0;
  const started = performance.now();
  const bucket = () => {
    const index = Math.floor((performance.now() - started) / 1000);
    return (seconds[index] ??= { latencies: [], failures: 0 });
  };

  // Without a callback autocannon returns an EventEmitter that is also a promise of the result.
  const instance: any = autocannon({
    url: options.url,
    connections,
    duration: durationSec,
    ...(rate ? { overallRate: rate } : {}),
    timeout: 10,
    requests: [
      {
        setupRequest: (request: any, context: any) => {
          const prepared = options.next();
          context.prepared = prepared;
          return {
            ...request,
            method: prepared.method,
            path: prepared.path,
            headers: prepared.headers,
            body: prepared.body,
          };
        },
        onResponse: (status: number, body: string, context: any) => {
          const prepared = context.prepared as PreparedRequest;
          context.failed = isFailure(status, body, prepared.expectedErrors);
          if (context.failed && failureSamples.length < 5)
            failureSamples.push({ operation: prepared.operation, status, body: body.slice(0, 500) });
        },
      },
    ] as any,
  } as autocannon.Options);

  // autocannon reports the body (onResponse) and then the latency ('response') of the same
  // request on the same client, before that client builds its next request.
  instance.on('response', (client: any, _status: number, _bytes: number, responseTime: number) => {
    const context = client.requestIterator.context as { prepared: PreparedRequest; failed: boolean };
    const entry = byOperation.get(context.prepared.operation) ?? { latencies: [], failures: 0 };
    byOperation.set(context.prepared.operation, entry);
    const second = bucket();
    latencies.push(responseTime);
    second.latencies.push(responseTime);
    entry.latencies.push(responseTime);
    if (context.failed) {
      failures++;
      entry.failures++;
      second.failures++;
    }
  });
  let reported = 0;
  instance.on('tick', () => {
    const index = Math.floor((performance.now() - started) / 1000) - 1;
    for (; reported <= index; reported++) options.onTick?.(secondSample(seconds, reported), reported + 1);
  });

  const result = (await instance) as autocannon.Result;
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedSec = (performance.now() - started) / 1000;
  const transportErrors = result.errors - result.timeouts;
  const perSecond = seconds
    .map((_, index) => secondSample(seconds, index))
    .filter((s) => s.requests > 0 || s.failures > 0);
  return {
    requests: latencies.length + result.errors,
    failures: failures + result.errors,
    durationSec: Math.min(elapsedSec, durationSec + 1),
    latency: summarize(latencies),
    perSecond,
    byOperation: operationSummaries(byOperation),
    failureSamples,
    transportErrors,
    timeouts: result.timeouts,
    generator: {
      name: 'autocannon',
      cpuSec: (cpu.user + cpu.system) / 1e6,
      note: "autocannon, in the lab's own process (Bun)",
    },
  };
}
