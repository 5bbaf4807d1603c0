import { expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChaosReport } from '../report';
import { FAULTS } from '../faults';
import { CI_RATE, runChaos, SHORT_TIMING } from '../runner';

/** Each missed goal as one line, named by its fault. */
const missedGoals = (report: Pick<ChaosReport, 'faults'>) =>
  report.faults.flatMap((f) => f.checks.filter((c) => !c.pass).map((c) => `${f.name}: ${c.name} (${c.detail})`));

/**
 * The fault suite, short: every fault with a few seconds per phase at CI_RATE, then a one-minute
 * soak, on a system of the suite's own (about 5 minutes). A fault that misses a goal is run once
 * more on a fresh system: a few seconds of load on a shared 2-core machine are a small sample, so
 * one miss is reported, and a fault fails the suite when it misses in both runs.
 */
test(
  'every fault meets its goal, and a one-minute soak stays flat',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autograph-chaos-report-'));
    try {
      const first = await runChaos({
        faults: FAULTS,
        timing: SHORT_TIMING,
        rate: CI_RATE,
        soakMinutes: 1,
        resultsDir: dir,
      });
      expect(first.report.faults.map((f) => f.name)).toEqual(FAULTS.map((f) => f.name));
      const soakMissed = (first.soak?.checks ?? []).filter((c) => !c.pass).map((c) => `soak: ${c.name} (${c.detail})`);
      let missed = missedGoals(first.report);
      if (missed.length) {
        // Named on stderr too: a long run's output may be cut before the assertion's diff.
        console.error(`missed goals in the first run, run again:\n${missed.join('\n')}`);
        const again = FAULTS.filter((fault) => missed.some((line) => line.startsWith(`${fault.name}: `)));
        const second = await runChaos({ faults: again, timing: SHORT_TIMING, rate: CI_RATE, resultsDir: dir });
        missed = missedGoals(second.report);
      }
      missed.push(...soakMissed);
      if (missed.length) console.error(`missed goals:\n${missed.join('\n')}`);
      expect(missed).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  12 * 60_000,
);
