import { describe, expect, test } from 'bun:test';
import { cacheDegradedMs, hitWindowMs } from '../faults/redis-checks';
import type { Outcome } from '../steady-load';

/** A request every 250 ms for `seconds`, answered by the cache (HIT) at the given times, MISS otherwise. */
function outcomes(seconds: number, hitsAt: number[]): Outcome[] {
  return Array.from({ length: seconds * 4 + 1 }, (_, i) => ({
    sentAt: i * 250,
    latencyMs: 5,
    operation: 'offer-card',
    status: 200,
    errors: [],
    dataLost: false,
    cache: hitsAt.includes(i * 250) ? 'HIT' : 'MISS',
    rateLimited: true,
  }));
}

describe('cache recovery after a Redis fault', () => {
  test('the window holds about eight hits at the rate seen before the fault, 1 to 4 s', () => {
    expect(hitWindowMs(7, 3_000)).toBe(4_000); // CI: 2.3 hits/s
    expect(hitWindowMs(16, 3_000)).toBe(2_000);
    expect(hitWindowMs(600, 10_000)).toBe(1_000); // the full suite's rate
    expect(hitWindowMs(2, 3_000)).toBe(4_000);
    expect(hitWindowMs(0, 3_000)).toBe(1_000);
  });

  test('sparse hits are not a dead cache; a dead tail is', () => {
    // A hit in every 3 s window but not in every second (the last whole second has none).
    const sparse = outcomes(9, [500, 2_500, 3_500, 5_500, 7_500]);
    expect(cacheDegradedMs({ outcomes: sparse }, 0, 1_000)).toBeNull();
    expect(cacheDegradedMs({ outcomes: sparse }, 0, 3_000)).toBe(0);
    // Nothing in the first window (failover), then hits: degraded for one window.
    expect(cacheDegradedMs({ outcomes: outcomes(9, [3_500, 5_500, 7_500]) }, 0, 3_000)).toBe(3_000);
    // Hits stop: never recovered.
    expect(cacheDegradedMs({ outcomes: outcomes(9, [500, 2_500]) }, 0, 3_000)).toBeNull();
  });
});
