/**
 * The fault suite: `bun chaos [fault ...] [--rate RPS] [--short]`, `bun chaos soak --minutes N`.
 * Starts its own system (PostgreSQL primary and replica, Redis with sentinels, the launcher's
 * processes), injects one fault at a time under a steady load, writes perf/results/chaos.* and
 * exits 1 when a goal is missed. See perf/README.md.
 */
import { parseArgs } from 'node:util';
import { FAULTS } from './faults';
import { runChaos, SHORT_TIMING, TIMING } from './runner';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    rate: { type: 'string' },
    short: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    name: { type: 'string' },
  },
});
const rate = values.rate ? Number(values.rate) : undefined;

if (positionals[0] === 'soak') {
  const { soak } = await runChaos({
    faults: [],
    timing: TIMING,
    rate,
    soakMinutes: Number(values.minutes ?? 10),
    reportName: values.name,
  });
  process.exit(soak?.passed ? 0 : 1);
}

const unknown = positionals.filter((name) => !FAULTS.some((fault) => fault.name === name));
if (unknown.length) {
  console.error(`unknown fault ${unknown.join(', ')}; known: ${FAULTS.map((f) => f.name).join(', ')}`);
  process.exit(2);
}
const { report } = await runChaos({
  faults: positionals.length ? FAULTS.filter((f) => positionals.includes(f.name)) : FAULTS,
  timing: values.short ? SHORT_TIMING : TIMING,
  rate,
  reportName: values.name,
});
process.exit(report.passed ? 0 : 1);
