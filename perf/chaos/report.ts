import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from '../lab/chart';
import type { MachineInfo } from '../lab/machine';
import { RESULTS_DIR } from '../lab/report';
import type { PhaseStats } from './analysis';
import type { FaultReport } from './fault';

export interface ChaosReport {
  kind: 'chaos';
  machine: MachineInfo;
  /** How the steady load's rate was chosen: measured maximum and the share of it, or given. */
  load: {
    scenario: string;
    rate: number;
    measuredMaxRps?: number;
    timing: { beforeMs: number; duringMs: number; afterMs: number };
  };
  faults: FaultReport[];
  passed: boolean;
}

const COLORS = ['#c92a2a', '#1971c2', '#9c36b5', '#0b7285', '#5c940d', '#d9480f'];
const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '–');
const codes = (stats: PhaseStats) =>
  Object.entries(stats.errorsByCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ') || '–';
const statuses = (stats: PhaseStats) =>
  Object.entries(stats.byStatus)
    .map(([status, n]) => `${status === '0' ? 'none' : status} ${n}`)
    .join(', ');

/** The fault's timeline: RPS, failed requests per second by first error code, p95, the fault window shaded. */
export function faultChart(fault: FaultReport): string {
  const { samples, errors } = fault.timeline;
  const back = fault.window.backAtMs;
  return renderChart(`${fault.name}: requests/s, errors/s by code, p95`, samples, {
    latencies: ['p95'],
    shaded: [
      { fromSecond: fault.window.fromMs / 1000, toSecond: (back ?? fault.window.toMs) / 1000, label: fault.name },
    ],
    counts: Object.entries(errors).map(([code, values], i) => ({
      label: `${code}/s`,
      color: COLORS[i % COLORS.length]!,
      values,
    })),
  });
}

export function renderChaosMarkdown(report: ChaosReport, chartOf: (fault: FaultReport) => string): string {
  const { load } = report;
  const rows = report.faults.map(
    (f) =>
      `| [${f.name}](#${f.name}) | ${f.before.requests + f.during.requests + f.after.requests} | ${codes(f.during)} | ${ms(f.before.p95Ms)} / ${ms(f.during.p95Ms)} / ${ms(f.after.p95Ms)} | ${f.recoveryMs === null ? 'never' : `${(f.recoveryMs / 1000).toFixed(1)} s`} | ${f.dataLost ?? '–'} | ${f.passed ? 'yes' : '**no**'} |`,
  );
  const sections = report.faults.map(
    (f) => `## ${f.name}

${f.description}

Goal: ${f.goal}. **${f.passed ? 'Met' : 'Missed'}.**

| phase | requests | failed | errors by code | HTTP status | p95 | p99 | max |
|-------|---------:|-------:|----------------|-------------|----:|----:|----:|
${(['before', 'during', 'after'] as const)
  .map((phase) => {
    const s = f[phase];
    return `| ${phase} | ${s.requests} | ${s.failed} | ${codes(s)} | ${statuses(s)} | ${ms(s.p95Ms)} | ${ms(s.p99Ms)} | ${ms(s.maxMs)} |`;
  })
  .join('\n')}

${f.checks.map((c) => `- ${c.pass ? 'pass' : '**FAIL**'}: ${c.name} (${c.detail})`).join('\n')}
${f.notes.map((n) => `- ${n}`).join('\n')}

![${f.name} timeline](${chartOf(f)})
`,
  );
  return `# Fault suite (\`bun chaos\`): ${report.passed ? 'every goal met' : 'GOALS MISSED'}

${report.machine.date} · commit ${report.machine.commit} · ${report.machine.cpu}, ${report.machine.memoryGiB} GiB · Bun ${report.machine.bun}
· load: ${load.scenario}, varied variables, ${load.rate} requests/s sent on schedule${load.measuredMaxRps ? ` (70 % of ${Math.round(load.measuredMaxRps)} RPS measured just before)` : ' (fixed rate)'}
· phases: ${load.timing.beforeMs / 1000} s before each fault, ${load.timing.duringMs / 1000} s of fault, ${load.timing.afterMs / 1000} s after

"During" runs from the fault's start until the faulted part serves again; p95 is before / during / after.

| fault | requests | errors during, by code | p95 | recovery | data lost | goal met |
|-------|---------:|------------------------|-----|---------:|----------:|----------|
${rows.join('\n')}

${sections.join('\n')}`;
}

/** Writes `<name>.json`, `<name>.md` and one `<name>-<fault>.svg` per fault under perf/results/ (or `dir`). */
export function writeChaosReport(report: ChaosReport, name = 'chaos', dir = RESULTS_DIR) {
  mkdirSync(dir, { recursive: true });
  const chartFile = (fault: FaultReport) => `${name}-${fault.name}.svg`;
  for (const fault of report.faults) writeFileSync(join(dir, chartFile(fault)), faultChart(fault));
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), renderChaosMarkdown(report, chartFile));
  return join(dir, `${name}.md`);
}
