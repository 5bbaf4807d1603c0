/**
 * How long a registry check takes (compose + API-schema diff, as run on every publish), for our
 * five subgraphs and for a synthetic 100-subgraph graph. Goal: < 300 ms for ours.
 *   bun perf/registry-checks.ts           → perf/results/registry-checks.{json,md}
 */
import { cpus, totalmem } from 'node:os';
import { checkProposal } from '../schema-registry/checks';
import { compose } from '../schema-registry/compose';
import type { SubgraphSnapshot } from '../schema-registry/db/schema';
import { SUBGRAPH_NAMES, subgraphs } from '../subgraphs';
import { printSubgraphSdl } from '../subgraphs/kit/sdl';

const RUNS = Number(process.env.RUNS ?? 30);
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';

async function ours(): Promise<SubgraphSnapshot[]> {
  return Promise.all(
    SUBGRAPH_NAMES.map(async (name) => ({ name, url: `http://${name}/graphql`, sdl: printSubgraphSdl((await subgraphs[name]()).schema) })),
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

async function measure(label: string, graph: SubgraphSnapshot[], changedIndex: number) {
  const base = compose(graph);
  if (!base.ok) throw new Error(`${label} does not compose: ${base.errors[0]?.message}`);
  const changed = graph.map((s, i) => (i === changedIndex ? { ...s, sdl: s.sdl.replace(/type Query \{/, 'type Query {\n  addedByCheck: Int') } : s));
  const timings = { compose: [] as number[], check: [] as number[] };
  for (let run = 0; run < RUNS + 3; run++) {
    let started = performance.now();
    compose(changed);
    const composeMs = performance.now() - started;
    started = performance.now();
    const report = await checkProposal({ currentApiSdl: base.apiSdl, proposed: changed, changed: { before: graph[changedIndex]!.sdl, after: changed[changedIndex]!.sdl } });
    const checkMs = performance.now() - started;
    if (!report.ok || report.apiChanges.length === 0) throw new Error(`${label}: the check did not see the added field`);
    if (run >= 3) {
      timings.compose.push(composeMs);
      timings.check.push(checkMs);
    }
  }
  return { label, subgraphs: graph.length, runs: RUNS, compose: stats(timings.compose), composeAndChecks: stats(timings.check) };
}

function stats(values: number[]) {
  const sorted = values.toSorted((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { medianMs: round(at(0.5)), p95Ms: round(at(0.95)), maxMs: round(sorted.at(-1)!) };
}
const round = (n: number) => Math.round(n * 10) / 10;

const results = [await measure('autograph (5 subgraphs)', await ours(), 1), await measure('synthetic 100 subgraphs', synthetic(100), 50)];
const commit = (await Bun.$`git rev-parse --short HEAD`.nothrow().text()).trim();
const report = {
  date: new Date().toISOString(),
  commit,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), bun: Bun.version },
  goal: 'compose + all checks for our five subgraphs < 300 ms',
  goalMet: results[0]!.composeAndChecks.p95Ms < 300,
  results,
};
const dir = new URL('./results/', import.meta.url);
await Bun.write(new URL('registry-checks.json', dir), JSON.stringify(report, null, 2) + '\n');
const rows = results.map((r) => `| ${r.label} | ${r.subgraphs} | ${r.compose.medianMs} / ${r.compose.p95Ms} | ${r.composeAndChecks.medianMs} / ${r.composeAndChecks.p95Ms} |`);
await Bun.write(
  new URL('registry-checks.md', dir),
  `# Registry check cost\n\n${report.date}, commit ${commit}, ${report.machine.cpus} × ${report.machine.model}, ${report.machine.memoryGiB} GiB, Bun ${Bun.version}; ${RUNS} runs after 3 warm-up.\n\n| graph | subgraphs | compose ms (median / p95) | compose + checks ms (median / p95) |\n|---|---|---|---|\n${rows.join('\n')}\n\nGoal (${report.goal}): ${report.goalMet ? 'met' : 'NOT met'}.\n`,
);
console.log(await Bun.file(new URL('registry-checks.md', dir)).text());
