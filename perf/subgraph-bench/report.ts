import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from '../lab/machine';
import { RESULTS_DIR } from '../lab/report';

/** One measured run of one hop against one subgraph process. */
export interface SubgraphCpuRun {
  label: string;
  subgraph: string;
  hop: string;
  /** The checkout whose subgraph ran (`--tree`), when not this one. */
  tree?: string;
  query: string;
  machine: Pick<MachineInfo, 'date' | 'commit' | 'cpu' | 'bun'>;
  env: Record<string, string>;
  load: { connections: number; durationSec: number };
  requests: number;
  failures: number;
  rps: number;
  /** The subgraph process's CPU (user + system) per request answered. */
  subgraphCpuMsPerRequest: number;
  /** CPU of the PostgreSQL backends serving the subgraph's pool, per request answered. */
  postgresCpuMsPerRequest: number;
  postgresBackends: number;
  /** autograph_sql_statements_total per request answered. */
  statementsPerRequest: number;
}

const JSON_FILE = join(RESULTS_DIR, 'subgraph-cpu.json');
const MARKDOWN_FILE = join(RESULTS_DIR, 'subgraph-cpu.md');

/** Adds a run to perf/results/subgraph-cpu.{json,md}, replacing an earlier run of the same label and hop. */
export function recordRun(run: SubgraphCpuRun): { json: string; markdown: string } {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const earlier: SubgraphCpuRun[] = existsSync(JSON_FILE) ? JSON.parse(readFileSync(JSON_FILE, 'utf8')).runs : [];
  const runs = [...earlier.filter((r) => r.label !== run.label || r.hop !== run.hop), run];
  writeFileSync(JSON_FILE, `${JSON.stringify({ kind: 'subgraph-cpu', runs }, null, 2)}\n`);
  writeFileSync(MARKDOWN_FILE, renderMarkdown(runs));
  return { json: JSON_FILE, markdown: MARKDOWN_FILE };
}

const ms = (value: number) => value.toFixed(3);

function renderMarkdown(runs: SubgraphCpuRun[]): string {
  const rows = runs.map(
    (r) =>
      `| ${r.label} | ${r.hop} | ${r.tree ? `checkout ${r.tree}` : r.machine.commit} | ${r.requests} | ${r.failures} | ${Math.round(r.rps)} | ` +
      `${ms(r.subgraphCpuMsPerRequest)} | ${ms(r.postgresCpuMsPerRequest)} | ${r.statementsPerRequest.toFixed(2)} |`,
  );
  const hops = [...new Map(runs.map((r) => [r.hop, r])).values()].map(
    (r) => `- **${r.subgraph}** — ${r.hop}: \`${r.query}\``,
  );
  return [
    '# Subgraph CPU per request',
    '',
    'One subgraph process under a closed-loop load of the request Hive Gateway sends it for',
    '`offer-list-2hop` (variables varied per request), on a seeded database. CPU is read from',
    '/proc/<pid>/stat: the subgraph process, and the PostgreSQL backends of its pool',
    '(`application_name = autograph-<subgraph>` in pg_stat_activity). CPU per request is the figure;',
    'requests per second depend on whatever else the 2-core machine runs. `bun run perf:subgraph --help`.',
    '',
    ...hops,
    '',
    ...renderSummary(runs),
    '## Every run',
    '',
    '| label | hop | code | requests | failures | RPS | subgraph CPU ms/req | PostgreSQL CPU ms/req | statements/req |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** A label's rounds (`after #1`, `after #2`) are one series: `after`. */
const seriesOf = (label: string) => label.replace(/\s*#\d+$/, '');
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Per hop and series, the mean of its rounds: the figures to compare. */
function renderSummary(runs: SubgraphCpuRun[]): string[] {
  const groups = new Map<string, SubgraphCpuRun[]>();
  for (const run of runs) {
    const key = `${run.hop}\u0000${seriesOf(run.label)}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const rows = [...groups.values()].map((group) => {
    const [first] = group as [SubgraphCpuRun];
    const of = (pick: (run: SubgraphCpuRun) => number) => mean(group.map(pick));
    return (
      `| ${first.hop} | ${seriesOf(first.label)} | ${group.length} | ${ms(of((r) => r.subgraphCpuMsPerRequest))} | ` +
      `${ms(of((r) => r.postgresCpuMsPerRequest))} | ${of((r) => r.statementsPerRequest).toFixed(2)} |`
    );
  });
  return [
    '| hop | series | runs | subgraph CPU ms/req | PostgreSQL CPU ms/req | statements/req |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'Means of the rounds of each series (a label without its `#n`); series measured in turns share the',
    "machine's load, so compare them with each other rather than with other days' figures.",
    '',
  ];
}
