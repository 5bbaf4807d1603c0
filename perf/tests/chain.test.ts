import { expect, test } from 'bun:test';
import { BARE, FULL, pairRounds, renderChainMarkdown } from '../lab/commands/chain';
import { median } from '../lab/stats';

const row = (name: string, cpuMs: number[]) => ({
  name,
  cpuMs,
  rps: cpuMs.map(() => 100),
  failures: 0,
  backgroundPercent: 1,
});

test('ratios and savings are taken within a round, then the median: a slow round moves every contender alike', () => {
  // Round 2 ran on a machine twice as slow: per-contender medians mislead, paired ratios do not.
  const rows = pairRounds([
    row(BARE, [1.0, 2.0, 1.0]),
    row(FULL, [1.2, 2.4, 1.2]),
    row('without metrics', [1.1, 2.2, 1.1]),
  ]);
  const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
  expect(byName[FULL]!.ratioToBare).toBeCloseTo(1.2, 10);
  expect(byName[FULL]!.savedMs).toBeNull();
  expect(byName[BARE]!.ratioToBare).toBe(1);
  expect(byName['without metrics']!.ratioToBare).toBeCloseTo(1.1, 10);
  expect(byName['without metrics']!.savedMs).toBeCloseTo(0.1, 10);
  expect(() => pairRounds([row(FULL, [1])])).toThrow(/bare/);
});

test('the report states the goal and whether it holds', () => {
  const report = {
    machine: { date: 'd', commit: 'c', cpu: '2 × cpu', memoryGiB: 24, os: 'linux', bun: '1', versions: {} },
    scenario: 'offer-list-2hop',
    rounds: 3,
    durationSec: 5,
    connections: 16,
  };
  const met = renderChainMarkdown({
    ...report,
    rows: pairRounds([row(BARE, [1, 1, 1]), row(FULL, [1.05, 1.05, 1.05])]),
  });
  expect(met).toContain('Full chain ÷ bare: 1.05×');
  expect(met).toContain('met');
  expect(met).not.toContain('not met');
  const missed = renderChainMarkdown({
    ...report,
    rows: pairRounds([row(BARE, [1, 1, 1]), row(FULL, [1.5, 1.5, 1.5])]),
  });
  expect(missed).toContain('not met');
});

test('median of an even count is the mean of the middle two', () => {
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([3, 1, 2])).toBe(2);
  expect(median([])).toBeNaN();
});
