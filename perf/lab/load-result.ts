import type { Scenario } from '../scenarios';
import type { PreparedRequest } from './requests';
import { summarize, type LatencySummary, type RunTotals } from './stats';

/** What every load driver takes and returns (perf/lab/load.ts picks the driver). */
export interface SecondSample {
  second: number;
  requests: number;
  failures: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface LoadResult extends RunTotals {
  perSecond: SecondSample[];
  byOperation: Record<string, { requests: number; failures: number; latency: LatencySummary }>;
  /** A few failed responses, to see why without rerunning. */
  failureSamples: { operation: string; status: number; body: string }[];
  transportErrors: number;
  timeouts: number;
  /** The load generator and the CPU seconds it used during the load (it shares the machine with the system). */
  generator: { name: LoadDriver; cpuSec: number; note: string };
}

/**
 * wrk (C) costs a fraction of the CPU per request, which matters at cache-hit rates on a 2-core
 * machine, but cannot cap the rate; paced (paced.ts) sends at an even rate, the open model;
 * autocannon runs in the lab's process and caps the rate in bursts at each second's start.
 */
export type LoadDriver = 'wrk' | 'paced' | 'autocannon';

export interface LoadOptions {
  /** Base URL of the gateway (loopback only). */
  url: string;
  scenario: Scenario;
  next: () => PreparedRequest;
  /** Overrides of the scenario's load (smoke runs, ablations). */
  connections?: number;
  durationSec?: number;
  rate?: number;
  /** Default: autocannon, or paced with a rate. */
  driver?: LoadDriver;
  onTick?: (sample: SecondSample, elapsedSec: number) => void;
}

/** Latencies and failures of one second, or of one operation, as the in-process drivers collect them. */
export interface LatencyBucket {
  latencies: number[];
  failures: number;
}

/** The summary of second `index` (0-based) of a run. */
export function secondSample(seconds: LatencyBucket[], index: number): SecondSample {
  const entry = seconds[index] ?? { latencies: [], failures: 0 };
  const summary = summarize(entry.latencies);
  return {
    second: index + 1,
    requests: entry.latencies.length,
    failures: entry.failures,
    p50Ms: summary.p50Ms,
    p95Ms: summary.p95Ms,
    p99Ms: summary.p99Ms,
  };
}

export const operationSummaries = (byOperation: Map<string, LatencyBucket>): LoadResult['byOperation'] =>
  Object.fromEntries(
    [...byOperation].map(([name, entry]) => [
      name,
      { requests: entry.latencies.length, failures: entry.failures, latency: summarize(entry.latencies) },
    ]),
  );
