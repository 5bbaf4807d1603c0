/**
 * CPU per request of one subgraph for the gateway's request to it:
 * `bun run perf:subgraph <offers|users|floor> [--label before] [--duration 10] [--connections 8]
 *  [--database postgres://…] [--env KEY=VALUE …] [--profile DIR] [--tree DIR]`.
 * Starts the subgraph as its own process on the database (seeded like the lab's: `bun seed/cli.ts`),
 * warms it up, loads it, and adds the run to perf/results/subgraph-cpu.{json,md}. `--tree` runs the
 * subgraph of another checkout (e.g. `git archive <commit>` unpacked) against the same database, so
 * two versions can be measured in turns under the same load on the machine.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnService, stopChild } from '../../kit/child-process';
import { waitForHttp } from '../../kit/service';
import { describeMachine } from '../lab/machine';
import { HOPS } from './hops';
import { closedLoop } from './load';
import { recordRun } from './report';
import { backendsOf, cpuSecBetween, cpuSecOf, statementsSent } from './usage';

const USAGE =
  'usage: bun run perf:subgraph <offers|users|floor> [--label L] [--duration S] [--connections N] ' +
  '[--database URL] [--env KEY=VALUE]… [--profile DIR] [--tree DIR]';
const WARM_UP_MS = 3_000;
const DEFAULT_TREE = fileURLToPath(new URL('../..', import.meta.url));
/** Runs stay short: the machine is shared, and CPU per request settles within seconds. */
const MAX_DURATION_SEC = 20;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    label: { type: 'string', default: 'current' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/autograph_perf' },
    env: { type: 'string', multiple: true, default: [] },
    profile: { type: 'string' },
    tree: { type: 'string', default: DEFAULT_TREE },
    help: { type: 'boolean' },
  },
});
const hopName = positionals[0] ?? '';
const durationSec = Number(values.duration);
const connections = Number(values.connections);
if (values.help || !(hopName in HOPS) || !(durationSec > 0 && durationSec <= MAX_DURATION_SEC) || !(connections > 0)) {
  console.error(`${USAGE}\n(duration 1–${MAX_DURATION_SEC} s)`);
  process.exit(values.help ? 0 : 2);
}
const env = Object.fromEntries(values.env.map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]));
const hop = HOPS[hopName]!;
const subgraph = hop.subgraph;
const databaseUrl = values.database;

const variables = await hop.prepare(databaseUrl);
if (values.profile) mkdirSync(values.profile, { recursive: true });
const child = await spawnService({
  name: `${subgraph}-under-test`,
  entry: [
    ...(values.profile ? ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${values.profile}`] : []),
    join(values.tree, 'subgraphs/run.ts'),
    subgraph,
  ],
  env: {
    PORT: '0',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'error',
    // Measured as the lab's subgraphs run: unsigned calls, open /metrics, no trace export.
    GATEWAY_HMAC_SECRET: undefined,
    METRICS_TOKEN: undefined,
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    ...env,
  },
});
const backends = backendsOf(databaseUrl, subgraph);
try {
  await waitForHttp(`${child.url}/readiness`, 30_000);
  const load = { url: `${child.url}/graphql`, query: hop.query, variables, connections };
  const warm = await closedLoop({ ...load, durationMs: WARM_UP_MS });
  if (warm.failures) throw new Error(`the warm-up failed: ${warm.sample}`);

  // Scrapes of /metrics cost the subgraph CPU: they stay outside the CPU readings.
  const statementsBefore = await statementsSent(child.url, subgraph);
  const backendPidsBefore = await backends.pids();
  const backendsBefore = cpuSecOf(backendPidsBefore);
  const subgraphBefore = cpuSecOf([child.process.pid]);
  const started = performance.now();
  const count = await closedLoop({ ...load, durationMs: durationSec * 1000 });
  const elapsedSec = (performance.now() - started) / 1000;
  const subgraphCpuSec = cpuSecBetween(subgraphBefore, cpuSecOf([child.process.pid]));
  const backendPids = new Set([...backendPidsBefore, ...(await backends.pids())]);
  const postgresCpuSec = cpuSecBetween(backendsBefore, cpuSecOf(backendPids));
  const statements = (await statementsSent(child.url, subgraph)) - statementsBefore;

  const perRequest = (total: number) => total / Math.max(1, count.requests);
  const machine = describeMachine();
  const files = recordRun({
    label: values.label,
    subgraph,
    hop: hop.name,
    ...(values.tree === DEFAULT_TREE ? {} : { tree: values.tree }),
    query: hop.query,
    machine: { date: machine.date, commit: machine.commit, cpu: machine.cpu, bun: machine.bun },
    env,
    load: { connections, durationSec },
    requests: count.requests,
    failures: count.failures,
    rps: count.requests / elapsedSec,
    subgraphCpuMsPerRequest: perRequest(subgraphCpuSec * 1000),
    postgresCpuMsPerRequest: perRequest(postgresCpuSec * 1000),
    postgresBackends: backendPids.size,
    statementsPerRequest: perRequest(statements),
  });
  console.log(
    `${hopName} [${values.label}]: ${count.requests} requests (${count.failures} failed), ` +
      `${Math.round(count.requests / elapsedSec)} RPS; CPU per request: subgraph ` +
      `${perRequest(subgraphCpuSec * 1000).toFixed(3)} ms, PostgreSQL ${perRequest(postgresCpuSec * 1000).toFixed(3)} ms ` +
      `(${backendPids.size} backends); ${perRequest(statements).toFixed(2)} statements per request`,
  );
  if (count.sample) console.log(`first failure: ${count.sample}`);
  console.log(`written: ${files.json}, ${files.markdown}`);
} finally {
  await backends.close();
  await stopChild(child);
}
