import { extraRow, renderCpuMatrix, renderCpuTable, type CpuTable } from '../cpu/table';
import type { describeMachine } from '../machine';
import { DISTURBED_PERCENT } from '../quiet';
import { sharedMachineNote } from '../report';

/**
 * How a contender was loaded: `varied` draws the scenario's variables afresh for every request
 * (the honest figure); `identical` resends one draw, so the gateway can deduplicate concurrent
 * identical subgraph requests (how the lab measured before, and how many benchmarks still do).
 */
export type RequestMode = 'varied' | 'identical';

export interface ContenderResult {
  name: string;
  requestMode: RequestMode;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  failures: number;
  requests: number;
  cpuPercent: number | null;
  rssMiB: number | null;
  /** CPU the subgraphs, the registry and the lab database's PostgreSQL backends used per request, ms. */
  servicesCpuMsPerRequest: number | null;
  /** CPU that processes outside the lab (other people's tests, builds) used during the run, % of one core. */
  foreignCpuPercent: number;
  /** The round this run is from (each contender runs once per round; the least disturbed round is kept). */
  round: number;
  /** CPU per request of every tier during this run (gateway, subgraphs, PostgreSQL, Redis, load generator). */
  cpu?: CpuTable;
}

export interface Goal {
  goal: string;
  measured: string;
  holds: boolean;
}

export interface DeduplicationRow {
  name: string;
  identicalRps: number;
  variedRps: number;
  /** identical ÷ varied: how many times deduplication inflated the identical-request figure. */
  inflation: number;
  identicalP95Ms: number;
  variedP95Ms: number;
}

export interface CompareReport {
  scenario: string;
  machine: ReturnType<typeof describeMachine>;
  load: { connections: number; durationSec: number; rounds?: number };
  requests: {
    operations: { name: string; query: string; identical: string | null }[];
    variedExamples: Record<string, unknown>[];
    identicalVariables: Record<string, unknown>;
  };
  results: ContenderResult[];
  deduplication: DeduplicationRow[];
  goals: Goal[];
  /** Every round of every contender and mode (`results` keeps the best of each). */
  allRounds?: ContenderResult[];
  /** The persisted-hit run on the full chain (wrk when installed). */
  persistedHits?: { rps: number; cpu: CpuTable } | null;
}

/**
 * The headline CPU table: every tier behind the full chain with the response cache off (the
 * uncached contender), and the bare gateway's own CPU per request from its run in the same mode.
 */
export function headlineCpu(results: ContenderResult[]): CpuTable | null {
  const varied = (prefix: string) => results.find((r) => r.requestMode === 'varied' && r.name.startsWith(prefix));
  const full = varied('autograph: full chain, response cache off')?.cpu;
  if (!full) return null;
  const bare = varied('bare:')?.cpu?.rows.find((row) => row.tier === 'gateway');
  const rows = [...full.rows];
  rows.splice(
    1,
    0,
    extraRow(
      'gateway bare',
      bare?.msPerRequest ?? null,
      bare ? 'same gateway, every plugin off: its own run, same load' : 'not measured',
    ),
  );
  return { ...full, rows };
}

export function renderCompareMarkdown(report: CompareReport) {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const rounds = report.load.rounds ?? 1;
  /** The RPS range over a contender's undisturbed rounds, and how many there were. */
  const spread = (r: ContenderResult) => {
    const quiet = (report.allRounds ?? [])
      .filter((x) => x.name === r.name && x.requestMode === r.requestMode && x.foreignCpuPercent < DISTURBED_PERCENT)
      .map((x) => Math.round(x.rps));
    return quiet.length > 1 ? `${Math.min(...quiet)}–${Math.max(...quiet)} (${quiet.length})` : '–';
  };
  const table = (mode: RequestMode) => {
    const rows = report.results.filter((r) => r.requestMode === mode);
    const apollo = rows.find((r) => r.name.startsWith('Apollo'));
    return `| gateway | RPS | RPS, undisturbed rounds | × Apollo | p50 | p95 | p99 | failures | gateway CPU | CPU per request: gateway | subgraphs + PostgreSQL | RSS | others' CPU |
|---------|----:|------------------------:|---------:|----:|----:|----:|---------:|------------:|-------------------------:|-----------------------:|----:|------------:|
${rows.map((r) => `| ${r.name} | ${Math.round(r.rps)} | ${spread(r)} | ${apollo ? (r.rps / apollo.rps).toFixed(2) : '–'} | ${ms(r.p50Ms)} | ${ms(r.p95Ms)} | ${ms(r.p99Ms)} | ${r.failures} / ${r.requests} | ${r.cpuPercent === null ? '–' : `${Math.round(r.cpuPercent)} %`} | ${r.cpuPercent === null || !(r.rps > 0) ? '–' : `${((r.cpuPercent * 10) / r.rps).toFixed(2)} ms`} | ${r.servicesCpuMsPerRequest === null ? '–' : `${r.servicesCpuMsPerRequest.toFixed(2)} ms`} | ${r.rssMiB === null ? '–' : `${Math.round(r.rssMiB)} MiB`} | ${Math.round(r.foreignCpuPercent)} %${r.foreignCpuPercent >= DISTURBED_PERCENT ? ' ⚠' : ''}${rounds > 1 ? ` (round ${r.round})` : ''} |`).join('\n')}`;
  };
  const json = (value: unknown) => `\`${JSON.stringify(value)}\``;
  return `# Side by side: ${report.scenario}

${report.machine.date} · commit ${report.machine.commit} · ${report.machine.cpu}, ${report.machine.memoryGiB} GiB · Bun ${report.machine.bun}, Node ${Bun.spawnSync(['node', '--version']).stdout.toString().trim()} (peers) · ${report.load.connections} connections, ${report.load.durationSec} s per run, a warm-up round and ${rounds} round${rounds > 1 ? 's' : ''}, loopback, same subgraphs and data

${report.requests.operations.map((o) => `\`${o.query}\``).join('\n\n')}

Every gateway ran twice:
- **varied**: variables drawn afresh for every request (e.g. ${report.requests.variedExamples.map(json).join(', ')}). These are the honest figures and the ones the goals use.
- **identical**: one draw, ${json(report.requests.identicalVariables)}, sent on every request (the same for every gateway). Hive Gateway deduplicates identical in-flight subgraph requests, so concurrent requests share one subgraph call per hop: this measures deduplication as much as the gateway. The lab used to measure this way.

## Varied variables (the honest figures)

${table('varied')}

${cpuSection(report)}
## Identical requests vs varied variables: what deduplication adds

| gateway | identical RPS | varied RPS | identical ÷ varied | p95 identical | p95 varied |
|---------|--------------:|-----------:|-------------------:|--------------:|-----------:|
${report.deduplication.map((d) => `| ${d.name} | ${Math.round(d.identicalRps)} | ${Math.round(d.variedRps)} | **${d.inflation.toFixed(2)}×** | ${ms(d.identicalP95Ms)} | ${ms(d.variedP95Ms)} |`).join('\n')}

With the response cache on, both runs largely measure the cache: identical requests all hit after the first, and varied ones hit whenever a draw repeats. The uncached rows are the ones that show deduplication.

## Identical requests (for reference only)

${table('identical')}

## Goals

| goal | measured | holds |
|------|---------:|-------|
${report.goals.map((g) => `| ${g.goal} | ${g.measured} | ${g.holds ? 'yes' : '**no**'} |`).join('\n')}

The load generator (wrk for the throughput runs when it is installed, the paced driver, evenly spaced requests in the lab's process, for the p95 run at 80 %) shares the 2 cores with the gateway and the subgraphs: absolute numbers are lower than on separate machines; ratios measured in one run are what to compare. The machine is shared with other work, and its speed drifts between minutes even without any (every process's CPU per request rises and falls together). So every gateway stays up and all are measured in turn, ${rounds} round${rounds > 1 ? 's' : ''} after an uncounted warm-up round, each run starting when the machine is quiet if it gets quiet within 30 s. Each row is the gateway's median round among those where other work used under ${DISTURBED_PERCENT} % of a core (else its least disturbed round), and "RPS, undisturbed rounds" is the range over all of those (how many): differences within that range are noise; "others' CPU" is what the machine spent on anything but the lab during it (Redis, PostgreSQL's own processes and the lab database's backends not counted: the lab uses them too)${report.results.some((r) => r.foreignCpuPercent >= DISTURBED_PERCENT) ? '. Runs marked ⚠ were disturbed by other work on the machine: read those figures as low' : ''}.
`;
}

function cpuSection(report: CompareReport): string {
  const headline = headlineCpu(report.results);
  if (!headline) return '';
  const columns = report.results
    .filter((r) => r.requestMode === 'varied' && r.cpu)
    .map((r) => ({ name: r.name, table: r.cpu! }));
  const hits = report.persistedHits;
  return `## CPU per request per tier (varied variables)

Behind the full chain with the response cache off (its reported round); "gateway bare" is the bare gateway's own run:

${renderCpuTable(headline)}

Every contender, the same tiers (each its reported round):

${renderCpuMatrix(columns)}
${hits ? `\nPersisted cache hits on the full chain (${Math.round(hits.rps)} RPS):\n\n${renderCpuTable(hits.cpu)}\n` : ''}
${sharedMachineNote(undefined)}
`;
}
