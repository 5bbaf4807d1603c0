import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenarios';
import { renderChart } from './chart';
import { renderCpuTable, type CpuTable } from './cpu/table';
import type { LoadResult } from './load';
import type { MachineInfo } from './machine';
import type { ThresholdResult } from './stats';

export const RESULTS_DIR = new URL('../results/', import.meta.url).pathname;

export interface RunReport {
  kind: 'run';
  /** `identicalOperations`: operations the scenario sends identically on purpose (see Operation.identical). */
  scenario: { name: string; description: string; identicalOperations: string[] };
  label: string;
  machine: MachineInfo;
  load: { connections: number; durationSec: number; rate?: number };
  /**
   * `varied`: a fresh draw of variables per request (the honest load). `identical`: one draw
   * resent, which lets the gateway deduplicate in-flight subgraph requests (`--identical`).
   */
  requests: 'varied' | 'identical';
  rps: number;
  errorRate: number;
  result: LoadResult;
  thresholds: ThresholdResult[];
  passed: boolean;
  /** CPU per request of every tier (gateway, subgraphs, PostgreSQL, Redis, load generator) over the measured window. */
  cpu: CpuTable;
  /** CPU other work on the machine used meanwhile, % of one core (see quiet.ts). */
  foreignCpuPercent?: number;
  /** Resident memory of the gateway at the end (runs that started it). */
  gatewayRssMiB?: number;
}

export function buildRunReport(input: {
  scenario: Scenario;
  label: string;
  machine: MachineInfo;
  load: RunReport['load'];
  requests?: RunReport['requests'];
  result: LoadResult;
  thresholds: ThresholdResult[];
  cpu: CpuTable;
}): RunReport {
  const { result } = input;
  return {
    kind: 'run',
    scenario: {
      name: input.scenario.name,
      description: input.scenario.description,
      identicalOperations: input.scenario.operations.filter((o) => o.identical).map((o) => o.name),
    },
    label: input.label,
    machine: input.machine,
    load: input.load,
    requests: input.requests ?? 'varied',
    rps: result.durationSec > 0 ? result.requests / result.durationSec : 0,
    errorRate: result.requests > 0 ? result.failures / result.requests : 1,
    result,
    thresholds: input.thresholds,
    passed: input.thresholds.every((t) => t.pass),
    cpu: input.cpu,
  };
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 1)} ms` : '–');
const pct = (value: number) => `${(value * 100).toFixed(value < 0.01 ? 3 : 2)} %`;
export const formatThreshold = (t: ThresholdResult) => {
  const show = (v: number) =>
    t.name === 'maxErrorRate' ? pct(v) : t.name === 'minRps' ? `${Math.round(v)} RPS` : ms(v);
  return `| ${t.name} | ${t.name === 'minRps' ? '≥' : '≤'} ${show(t.limit)} | ${show(t.actual)} | ${t.pass ? 'pass' : '**FAIL**'} |`;
};

export function renderRunMarkdown(report: RunReport, chartFile: string): string {
  const r = report.result;
  return `# ${report.scenario.name} (${report.label})

${report.scenario.description}

${report.machine.date} · commit ${report.machine.commit} · ${report.machine.cpu}, ${report.machine.memoryGiB} GiB · Bun ${report.machine.bun}
· load: ${report.result.generator.name}, ${report.load.connections} connections, ${report.load.durationSec} s${report.load.rate ? `, capped at ${report.load.rate} RPS` : ''}, loopback
· requests: ${report.requests === 'identical' ? 'identical (one draw of variables resent: the gateway may deduplicate in-flight subgraph requests)' : `variables drawn per request${report.scenario.identicalOperations.length ? `, except ${report.scenario.identicalOperations.join(', ')} (identical on purpose, see the scenario)` : ''}`}

| RPS | p50 | p95 | p99 | max | requests | failures |
|----:|----:|----:|----:|----:|---------:|---------:|
| ${Math.round(report.rps)} | ${ms(r.latency.p50Ms)} | ${ms(r.latency.p95Ms)} | ${ms(r.latency.p99Ms)} | ${ms(r.latency.maxMs)} | ${r.requests} | ${r.failures} (${pct(report.errorRate)}; ${r.timeouts} timeouts, ${r.transportErrors} transport) |

## CPU per request

${renderCpuTable(report.cpu)}${report.gatewayRssMiB ? ` Gateway resident memory at the end: ${Math.round(report.gatewayRssMiB)} MiB.` : ''}

${sharedMachineNote(report.foreignCpuPercent)}

## Thresholds: ${report.passed ? 'all pass' : 'FAILED'}

| threshold | limit | measured | |
|-----------|------:|---------:|-|
${report.thresholds.map(formatThreshold).join('\n')}

## By operation

| operation | requests | failures | p50 | p95 | p99 |
|-----------|---------:|---------:|----:|----:|----:|
${Object.entries(r.byOperation)
  .map(
    ([name, o]) =>
      `| ${name} | ${o.requests} | ${o.failures} | ${ms(o.latency.p50Ms)} | ${ms(o.latency.p95Ms)} | ${ms(o.latency.p99Ms)} |`,
  )
  .join('\n')}

![latency and throughput over time](${chartFile})
${r.failureSamples.length ? `\n## Failure samples\n\n${r.failureSamples.map((f) => `- ${f.operation}: HTTP ${f.status} \`${f.body.replace(/`/g, "'").slice(0, 300)}\``).join('\n')}\n` : ''}
Versions: ${Object.entries(report.machine.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.
`;
}

/**
 * Every report says how busy the machine was: it is shared, and RPS moves with whatever else runs
 * on its two cores, while the CPU one request costs each tier moves far less.
 */
export function sharedMachineNote(foreignCpuPercent: number | undefined): string {
  const others =
    foreignCpuPercent === undefined
      ? ''
      : ` Other work used ${Math.round(foreignCpuPercent)} % of a core during this run.`;
  return `The machine is shared: the load generator, the gateway, the subgraphs, PostgreSQL and Redis share its cores with other people's work.${others} RPS and latency move with that contention; CPU per request moves far less, so it is the figure to compare between runs.`;
}

/** Writes `<name>.json`, `<name>.md` and `<name>.svg` under perf/results/ (or `dir`). */
export function writeRunReport(
  report: RunReport,
  name: string,
  dir = RESULTS_DIR,
): { json: string; markdown: string; chart: string } {
  mkdirSync(dir, { recursive: true });
  const files = { json: join(dir, `${name}.json`), markdown: join(dir, `${name}.md`), chart: join(dir, `${name}.svg`) };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    files.chart,
    renderChart(`${report.scenario.name} (${report.label}): latency and RPS`, report.result.perSecond),
  );
  writeFileSync(files.markdown, renderRunMarkdown(report, `${name}.svg`));
  return files;
}
