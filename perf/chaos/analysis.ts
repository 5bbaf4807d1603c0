import type { SecondSample } from '../lab/load';
import { summarize } from '../lab/stats';
import type { Outcome } from './steady-load';

/** What a span of the load saw: counts by error code and by HTTP status, and latency. */
export interface PhaseStats {
  requests: number;
  /** Requests with any unexpected error, HTTP error or no answer. */
  failed: number;
  errorsByCode: Record<string, number>;
  byStatus: Record<string, number>;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export const failed = (outcome: Outcome) => outcome.status < 200 || outcome.status >= 300 || outcome.errors.length > 0;

export function phaseStats(outcomes: Outcome[]): PhaseStats {
  const errorsByCode: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  for (const outcome of outcomes) {
    byStatus[outcome.status] = (byStatus[outcome.status] ?? 0) + 1;
    for (const error of outcome.errors) errorsByCode[error.code] = (errorsByCode[error.code] ?? 0) + 1;
  }
  const latency = summarize(outcomes.map((o) => o.latencyMs));
  return {
    requests: outcomes.length,
    failed: outcomes.filter(failed).length,
    errorsByCode,
    byStatus,
    p95Ms: latency.p95Ms,
    p99Ms: latency.p99Ms,
    maxMs: latency.maxMs,
  };
}

/** Outcomes of requests sent within [fromMs, toMs). */
export const between = (outcomes: Outcome[], fromMs: number, toMs = Number.POSITIVE_INFINITY) =>
  outcomes.filter((o) => o.sentAt >= fromMs && o.sentAt < toMs);

/** Per-second samples for the chart, and each error code's count per second. */
export function timeline(outcomes: Outcome[]): { samples: SecondSample[]; errors: Record<string, number[]> } {
  const seconds = Math.max(1, Math.ceil(Math.max(0, ...outcomes.map((o) => o.sentAt)) / 1000));
  const samples: SecondSample[] = [];
  const errors: Record<string, number[]> = {};
  for (let s = 0; s < seconds; s++) {
    const slice = between(outcomes, s * 1000, (s + 1) * 1000);
    const latency = summarize(slice.map((o) => o.latencyMs));
    samples.push({
      second: s + 1,
      requests: slice.length,
      failures: slice.filter(failed).length,
      p50Ms: latency.p50Ms,
      p95Ms: latency.p95Ms,
      p99Ms: latency.p99Ms,
    });
    for (const outcome of slice.filter(failed)) {
      // One count per failed request, under its first code: the lines then add up to the failures.
      const code = outcome.errors[0]?.code ?? `HTTP_${outcome.status}`;
      (errors[code] ??= new Array(seconds).fill(0))[s]! += 1;
    }
  }
  return { samples, errors };
}

/**
 * Milliseconds from `fromMs` (the fault lifted, or the service back) to the last request that
 * still failed the `bad` test; 0 if none did. Null when no good request followed: never recovered.
 */
export function recoveryMs(outcomes: Outcome[], fromMs: number, bad: (o: Outcome) => boolean): number | null {
  const after = between(outcomes, fromMs);
  const lastBad = after.findLastIndex(bad);
  if (after.slice(lastBad + 1).length === 0) return null;
  return lastBad < 0 ? 0 : Math.max(0, after[lastBad]!.sentAt - fromMs);
}

export interface Check {
  name: string;
  pass: boolean;
  /** What was measured, in words. */
  detail: string;
}

export const check = (name: string, pass: boolean, detail: string): Check => ({ name, pass, detail });

/** No answer with HTTP 5xx, and none lost (no response at all). */
export function noServerErrors(name: string, outcomes: Outcome[]): Check {
  const fivexx = outcomes.filter((o) => o.status >= 500).length;
  const lost = outcomes.filter((o) => o.status === 0).length;
  return check(name, fivexx === 0 && lost === 0, `${fivexx} HTTP 5xx, ${lost} without an answer of ${outcomes.length}`);
}

/** No unexpected error of any kind. */
export function noErrors(name: string, outcomes: Outcome[]): Check {
  const bad = outcomes.filter(failed);
  const codes = phaseStats(bad).errorsByCode;
  return check(
    name,
    bad.length === 0,
    `${bad.length} failed of ${outcomes.length}${bad.length ? ` ${JSON.stringify(codes)}` : ''}`,
  );
}
