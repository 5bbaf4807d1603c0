import { expect, test } from 'bun:test';
import { attackSystem } from './attack';

/**
 * The attack suite (`bun security`) as a test: a fresh production-mode system must refuse every
 * payload as expected (known open findings aside), never answer 5xx, leak nothing, never crash
 * and keep serving.
 */
test('the system survives the attack suite', async () => {
  const { suite, summary } = await attackSystem();
  const failed = suite.results
    .filter((r) => (!r.refusedAsExpected && !r.openFinding) || r.serverError || r.leaks.length || !r.keptServing)
    .map(
      (r) =>
        `${r.group} / ${r.name}: expected ${r.expected}, got ${r.observed} ${[...r.problems, ...r.leaks].join('; ')}`,
    );
  expect(failed).toEqual([]);
  expect(summary.tried).toBeGreaterThanOrEqual(60);
  expect(summary.serverErrors).toBe(0);
  expect(summary.leaks).toBe(0);
  expect(suite.crashes).toEqual([]);
  expect(suite.unhealthyGroups).toEqual([]);
}, 120_000);
