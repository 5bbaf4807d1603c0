/**
 * How long a registry check takes end to end — POST /v1/targets/:t/checks on a real Postgres:
 * compose, API and subgraph diffs, usage-aware classification over recorded usage, trusted
 * document validation and the query-plan diff of the top 25 recorded operations — for our five
 * subgraphs and a synthetic 100-subgraph graph. Goal: < 300 ms for ours. Also times compose alone.
 *   bun perf/registry-checks.ts           → perf/results/registry-checks.{json,md}
 * Needs the machine's Postgres (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { createHash } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { createLogger } from '../kit/log';
import { compose } from '../schema-registry/compose';
import type { SubgraphSnapshot } from '../schema-registry/db/schema';
import { startRegistry } from '../schema-registry/server';
import { SUBGRAPH_NAMES, subgraphs } from '../subgraphs';
import { printSubgraphSdl } from '../subgraphs/framework/sdl';
import { createTempDatabase } from '../tests/support/temp-database';

const RUNS = Number(process.env.RUNS ?? 30);
const TOKEN = 'perf-registry-token';
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';

/** Operations a marketplace front end sends (recorded as usage and stored as trusted documents). */
const OUR_OPERATIONS = [
  'query Makes { makes { id name country } }',
  'query MakeModels($id: ID!) { make(id: $id) { name models { id name bodyType } } }',
  'query OfferList { offers(first: 10) { edges { node { id title price seller { id name } } } } }',
  'query OfferCard($first: Int!) { offers(first: $first) { totalCount edges { node { id title price currency year city status createdAt photos { url width height } seller { id name kind city } model { id name bodyType make { id name country } rating { average count } } } } } }',
  'query Search($q: String) { searchOffers(text: $q, first: 20) { totalCount offers { id title price } facets { makes { label count } } } }',
  'query ModelReviews($id: ID!) { model(id: $id) { name rating { average count } reviews(first: 5) { totalCount } } }',
  'query Everything { makes { id name } offers(first: 3) { edges { node { title seller { name } model { name make { name } rating { count } } } } } searchOffers(first: 3) { totalCount offers { id title price } facets { makes { label count } } } }',
];

async function ours(): Promise<SubgraphSnapshot[]> {
  return Promise.all(
    SUBGRAPH_NAMES.map(async (name) => ({
      name,
      url: `http://${name}/graphql`,
      sdl: printSubgraphSdl((await subgraphs[name]()).schema),
    })),
  );
}

/** 100 subgraphs, each owning an entity with 10 fields and extending its neighbour's entity. */
function synthetic(count: number): SubgraphSnapshot[] {
  return Array.from({ length: count }, (_, i) => {
    const fields = Array.from({ length: 10 }, (_, f) => `  field${f}: String`).join('\n');
    const neighbour = i > 0 ? `type Entity${i - 1} @key(fields: "id") {\n  id: ID!\n  fromService${i}: Int\n}\n` : '';
    return {
      name: `service-${i}`,
      url: `http://service-${i}/graphql`,
      sdl: `${LINK}\ntype Entity${i} @key(fields: "id") {\n  id: ID!\n${fields}\n}\n${neighbour}type Query {\n  entity${i}(id: ID!): Entity${i}\n}\n`,
    };
  });
}

const synthOperations = (count: number) =>
  Array.from(
    { length: 25 },
    (_, i) =>
      `query Entity${i} { entity${i + 1}(id: "1") { id field0 field1 } entity${i}(id: "1") { id field2 fromService${i + 1} } }`,
  ).slice(0, count);

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

async function measure(label: string, graph: SubgraphSnapshot[], changedIndex: number, operations: string[]) {
  const database = await createTempDatabase('perf_registry');
  const registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: TOKEN,
    targets: ['perf'],
    logger: createLogger('perf', 'silent'),
  });
  const call = async (path: string, body: unknown) => {
    const response = await fetch(`${registry.url}/v1/targets/perf${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${label}: ${path} answered ${response.status}: ${await response.text()}`);
    return response.json();
  };
  try {
    for (const subgraph of graph) await call('/subgraphs', subgraph);
    const recorded = operations.map((document, i) => ({
      hash: sha(document),
      name: null,
      document,
      coordinates: [],
      client: 'perf',
      count: 1000 - i,
    }));
    await call('/usage', { operations: recorded });
    await call('/documents', {
      client: 'perf',
      documents: operations.map((document) => ({ hash: sha(document), document })),
    });

    const changed = graph.map((s, i) =>
      i === changedIndex ? { ...s, sdl: s.sdl.replace(/type Query \{/, 'type Query {\n  addedByCheck: Int') } : s,
    );
    const timings = { compose: [] as number[], check: [] as number[] };
    let planned = 0;
    for (let run = 0; run < RUNS + 3; run++) {
      let started = performance.now();
      compose(changed);
      const composeMs = performance.now() - started;
      started = performance.now();
      const result = await call('/checks', changed[changedIndex]);
      const checkMs = performance.now() - started;
      if (!result.ok || result.report.apiChanges.length === 0)
        throw new Error(`${label}: the check did not see the added field`);
      planned = result.report.plans.planned;
      if (run >= 3) {
        timings.compose.push(composeMs);
        timings.check.push(checkMs);
      }
    }
    return {
      label,
      subgraphs: graph.length,
      operations: operations.length,
      planned,
      runs: RUNS,
      compose: stats(timings.compose),
      composeAndChecks: stats(timings.check),
    };
  } finally {
    await registry.stop();
    await database.drop();
  }
}

function stats(values: number[]) {
  const sorted = values.toSorted((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { medianMs: round(at(0.5)), p95Ms: round(at(0.95)), maxMs: round(sorted.at(-1)!) };
}
const round = (n: number) => Math.round(n * 10) / 10;

const results = [
  await measure('autograph (5 subgraphs)', await ours(), 1, OUR_OPERATIONS),
  await measure('synthetic 100 subgraphs', synthetic(100), 50, synthOperations(25)),
];
const commit = (await Bun.$`git rev-parse --short HEAD`.nothrow().text()).trim();
const report = {
  date: new Date().toISOString(),
  commit,
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
  },
  goal: 'compose + all checks for our five subgraphs < 300 ms',
  goalMet: results[0]!.composeAndChecks.p95Ms < 300,
  results,
};
const dir = new URL('./results/', import.meta.url);
await Bun.write(new URL('registry-checks.json', dir), JSON.stringify(report, null, 2) + '\n');
const rows = results.map(
  (r) =>
    `| ${r.label} | ${r.subgraphs} | ${r.planned} of ${r.operations} | ${r.compose.medianMs} / ${r.compose.p95Ms} | ${r.composeAndChecks.medianMs} / ${r.composeAndChecks.p95Ms} |`,
);
await Bun.write(
  new URL('registry-checks.md', dir),
  `# Registry check cost\n\n${report.date}, commit ${commit}, ${report.machine.cpus} × ${report.machine.model}, ${report.machine.memoryGiB} GiB, Bun ${Bun.version}; ${RUNS} runs after 3 warm-up. The full check is POST /checks on a real Postgres with usage and trusted documents recorded: compose, diffs, usage-aware classification, document validation, and the query-plan diff of the recorded operations.\n\n| graph | subgraphs | operations replayed | compose ms (median / p95) | full check over HTTP ms (median / p95) |\n|---|---|---|---|---|\n${rows.join('\n')}\n\nGoal (${report.goal}): ${report.goalMet ? 'met' : 'NOT met'}.\n`,
);
console.log(await Bun.file(new URL('registry-checks.md', dir)).text());
