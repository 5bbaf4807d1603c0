import type { Thresholds } from '../scenarios';

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile (the value at or below which p % of samples fall) of sorted samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    meanMs: sorted.length ? sum / sorted.length : Number.NaN,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

export interface RunTotals {
  requests: number;
  failures: number;
  durationSec: number;
  latency: LatencySummary;
}

export interface ThresholdResult {
  name: string;
  limit: number;
  actual: number;
  pass: boolean;
}

/** Each threshold of the scenario against what the run measured; an unmeasurable value fails. */
export function evaluateThresholds(thresholds: Thresholds, totals: RunTotals): ThresholdResult[] {
  const rps = totals.durationSec > 0 ? totals.requests / totals.durationSec : 0;
  const errorRate = totals.requests > 0 ? totals.failures / totals.requests : 1;
  const checks: [string, number | undefined, number, 'max' | 'min'][] = [
    ['p95Ms', thresholds.p95Ms, totals.latency.p95Ms, 'max'],
    ['p99Ms', thresholds.p99Ms, totals.latency.p99Ms, 'max'],
    ['maxErrorRate', thresholds.maxErrorRate, errorRate, 'max'],
    ['minRps', thresholds.minRps, rps, 'min'],
  ];
  return checks
    .filter(([, limit]) => limit !== undefined)
    .map(([name, limit, actual, kind]) => ({
      name,
      limit: limit!,
      actual,
      pass: Number.isFinite(actual) && (kind === 'max' ? actual <= limit! : actual >= limit!),
    }));
}
