import { between, check, failed, noServerErrors, recoveryMs, type Check } from '../analysis';
import type { FaultContext, LoadedRun } from '../fault';
import { STALL_MIN_DURING_MS } from '../system';
import type { Outcome } from '../steady-load';

/**
 * What a subgraph outage may do to the read mix, and no more: answers stay HTTP 200 with data;
 * every error names the faulted subgraph with one of `codes`; operations that never call it see no
 * error at all; after the subgraph serves again, failures stop within `recoveryLimitMs`.
 */
export function subgraphOutageChecks(
  run: LoadedRun,
  options: { subgraph: string; codes: string[]; touches: Set<string>; recoveryLimitMs: number },
): { checks: Check[]; recoveryMs: number | null } {
  const { subgraph, codes, touches } = options;
  const foreign = (o: Outcome) => o.errors.some((e) => e.service !== subgraph || !codes.includes(e.code));
  const during = between(run.outcomes, run.fromMs);
  const seen = during.filter((o) => o.errors.length > 0 && !foreign(o)).length;
  const bad = run.outcomes.filter((o) => failed(o) && (foreign(o) || o.dataLost));
  const untouched = run.outcomes.filter((o) => !touches.has(o.operation));
  const untouchedFailed = untouched.filter(failed).length;
  const back = run.backAtMs ?? run.toMs;
  const recovery = recoveryMs(run.outcomes, back, (o) => touches.has(o.operation) && failed(o));
  return {
    recoveryMs: recovery,
    checks: [
      noServerErrors('no HTTP 5xx, every request answered', run.outcomes),
      check(
        `only ${subgraph}'s fields are null, coded ${codes.join(' or ')}`,
        seen > 0 && bad.length === 0,
        `${seen} answers with ${subgraph}'s fields null; ${bad.length} with other errors or no data${bad.length ? ` (e.g. ${JSON.stringify(bad[0]!.errors.slice(0, 2))})` : ''}`,
      ),
      check(
        `requests that do not call ${subgraph} unchanged`,
        untouchedFailed === 0,
        `${untouchedFailed} failed of ${untouched.length}`,
      ),
      check(
        `served again within ${options.recoveryLimitMs / 1000} s after ${subgraph} is back`,
        recovery !== null && recovery <= options.recoveryLimitMs,
        recovery === null ? 'no successful request afterwards' : `last failure ${(recovery / 1000).toFixed(1)} s after`,
      ),
    ],
  };
}

/**
 * A subgraph that stops answering (hung, or slower than SUBGRAPH_TIMEOUT_MS): besides the outage's
 * goals, each call is cut at the timeout, the circuit opens, and requests stay bounded in time.
 */
export function stallChecks(
  run: LoadedRun,
  options: { subgraph: string; touches: Set<string>; timeoutMs: number; deadlineMs: number; circuitOpenings: number },
) {
  const outage = subgraphOutageChecks(run, {
    ...options,
    codes: ['GATEWAY_TIMEOUT', 'SUBGRAPH_UNAVAILABLE'],
    recoveryLimitMs: 5_000,
  });
  const during = between(run.outcomes, run.fromMs, run.backAtMs ?? run.toMs);
  const touching = (outcomes: typeof during) =>
    outcomes
      .filter((o) => options.touches.has(o.operation))
      .map((o) => o.latencyMs)
      .sort((a, b) => a - b);
  const p95Of = (sorted: number[]) => sorted[Math.ceil(sorted.length * 0.95) - 1] ?? Number.NaN;
  const latencies = touching(during);
  const p95 = p95Of(latencies);
  const max = latencies.at(-1) ?? Number.NaN;
  // A request calling the subgraph does other work too (the other subgraphs, the planner): what it
  // took before the fault, at its p95, is added to the timeout rather than guessed.
  const before = p95Of(touching(between(run.outcomes, 0, run.fromMs)));
  const usual = Number.isFinite(before) ? before : 0;
  const opened = during.filter((o) => o.errors.some((e) => e.reason === 'circuit-open')).length;
  const slack = 1_000; // this machine's noise: two shared cores
  return {
    recoveryMs: outage.recoveryMs,
    checks: [
      ...outage.checks,
      check(
        `calls to ${options.subgraph} bounded by SUBGRAPH_TIMEOUT_MS (${options.timeoutMs} ms)`,
        p95 <= options.timeoutMs + usual + slack && max <= options.deadlineMs + slack,
        `requests calling it: p95 ${Math.round(p95)} ms (before the fault ${Math.round(usual)} ms; bound ${Math.round(options.timeoutMs + usual + slack)} ms), max ${Math.round(max)} ms (deadline ${options.deadlineMs} ms)`,
      ),
      check(
        'the circuit breaker opens',
        options.circuitOpenings > 0,
        `opened ${options.circuitOpenings} times (autograph_gateway_circuit_opened_total); ${opened} answers short-cut by it`,
      ),
    ],
  };
}

/** The suite's timing with the fault lasting STALL_MIN_DURING_MS at least (why: see there). */
export function stallTiming(context: FaultContext): FaultContext {
  return {
    ...context,
    timing: { ...context.timing, duringMs: Math.max(context.timing.duringMs, STALL_MIN_DURING_MS) },
  };
}

/** `autograph_gateway_circuit_opened_total` of one subgraph, from the gateway's /metrics. */
export async function circuitOpenings(gatewayUrl: string, subgraph: string): Promise<number> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('autograph_gateway_circuit_opened_total') && l.includes(`subgraph="${subgraph}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
