import { describe, expect, test } from 'bun:test';
import { DEFAULT_ERROR_THRESHOLD_PERCENT } from '../../../gateway/resilience/use-circuit-breaker';
import { SCENARIOS } from '../../scenarios';
import { CI_RATE, SHORT_TIMING, TIMING } from '../runner';
import { CHAOS_GATEWAY_ENV, STALL_MIN_DURING_MS, TOUCHES_REVIEWS } from '../system';

const timeoutMs = Number(CHAOS_GATEWAY_ENV.SUBGRAPH_TIMEOUT_MS);
const windowMs = Number(CHAOS_GATEWAY_ENV.CIRCUIT_WINDOW_MS);
const volume = Number(CHAOS_GATEWAY_ENV.CIRCUIT_VOLUME_THRESHOLD);

/**
 * The breaker's error rate t ms into a hang, at a steady rate of calls: every call of the last
 * window was counted when it started, and only those older than the timeout have failed yet.
 */
const errorRateAt = (t: number) => Math.max(0, Math.min(windowMs, t - timeoutMs)) / windowMs;

/** When the rate first passes the threshold (opossum opens on more than it, not on equal). */
const opensAtMs = timeoutMs + (windowMs * DEFAULT_ERROR_THRESHOLD_PERCENT) / 100;

describe('the fault suite can see the circuit breaker open', () => {
  test.each([
    ['the short timing (CI)', SHORT_TIMING],
    ['the full timing', TIMING],
  ])('%s: a stalled subgraph fails calls past the threshold for 3 s before the fault is lifted', (_, timing) => {
    expect(errorRateAt(opensAtMs) * 100).toBe(DEFAULT_ERROR_THRESHOLD_PERCENT); // not yet: more than
    expect(errorRateAt(opensAtMs + 1) * 100).toBeGreaterThan(DEFAULT_ERROR_THRESHOLD_PERCENT);
    expect(opensAtMs + 3_000).toBeLessThanOrEqual(Math.max(timing.duringMs, STALL_MIN_DURING_MS));
  });

  test("at CI's rate a window holds at least twice the calls it needs to open", () => {
    const operations = SCENARIOS['mixed-realistic']!.operations;
    const weight = (list: typeof operations) => list.reduce((sum, o) => sum + o.weight, 0);
    const share = weight(operations.filter((o) => TOUCHES_REVIEWS.has(o.name))) / weight(operations);
    const callsPerSecond = CI_RATE * share;
    expect((callsPerSecond * windowMs) / 1000).toBeGreaterThanOrEqual(2 * volume);
  });
});
