import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getScenario, type Scenario } from '../../scenarios';
import { ALL_OFF, RESPONSE_CACHE_OFF } from '../ablation';
import { runLoad, type LoadResult } from '../load';
import { describeMachine } from '../machine';
import { startApolloGateway, startHiveGatewayOnNode, supergraphToFile } from '../peers';
import { RESULTS_DIR } from '../report';
import { createRequestSource } from '../requests';
import { prepareScenario } from '../setup';
import { processUsage, startGatewayVariant, startLabSystem, type GatewayVariant, type LabSystem } from '../target';

export interface ContenderResult {
  name: string;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  failures: number;
  requests: number;
  cpuPercent: number | null;
  rssMiB: number | null;
}

export interface Goal {
  goal: string;
  measured: string;
  holds: boolean;
}

/** The goals of the comparison, from measured numbers (pure: tested on known inputs). */
export function evaluateGoals(input: { fullUncached: number; bare: number; apollo: number; persistedHitRps: number | null; p95At80Ms: number | null; sqlPerRequest: { small: number; large: number } | null }): Goal[] {
  const goals: Goal[] = [
    { goal: 'full chain, uncached ≥ 6× Apollo Gateway', measured: `${(input.fullUncached / input.apollo).toFixed(2)}×`, holds: input.fullUncached >= 6 * input.apollo },
    { goal: 'full chain, uncached ≥ 90 % of bare', measured: `${((input.fullUncached / input.bare) * 100).toFixed(1)} %`, holds: input.fullUncached >= 0.9 * input.bare },
  ];
  if (input.persistedHitRps !== null) goals.push({ goal: 'persisted cache hits ≥ 30,000 RPS (one process, Redis)', measured: `${Math.round(input.persistedHitRps)} RPS`, holds: input.persistedHitRps >= 30_000 });
  if (input.p95At80Ms !== null) goals.push({ goal: 'p95 < 200 ms at 80 % of max throughput', measured: `${input.p95At80Ms.toFixed(1)} ms`, holds: input.p95At80Ms < 200 });
  if (input.sqlPerRequest) goals.push({ goal: 'SQL statements per request independent of list size', measured: `${input.sqlPerRequest.small.toFixed(2)} (first: 5) vs ${input.sqlPerRequest.large.toFixed(2)} (first: 50)`, holds: input.sqlPerRequest.large <= input.sqlPerRequest.small + 0.05 });
  return goals;
}

/**
 * `bun perf compare`: one scenario against Autograph's full chain (cache on and off), the same
 * gateway with every plugin off, stock Hive Gateway on Node and Apollo Gateway, one after another
 * on the same subgraphs and data, each warmed up first; then the goals.
 */
export async function compareCommand(flags: { scenario?: string; duration?: string; connections?: string }) {
  const scenario = getScenario(flags.scenario ?? 'offer-list-2hop');
  const durationSec = flags.duration ? Number(flags.duration) : 15;
  const connections = flags.connections ? Number(flags.connections) : scenario.load.connections;
  if (!(durationSec > 0) || !(connections > 0)) throw new Error('--duration and --connections must be positive numbers');
  let lab: LabSystem | undefined;
  try {
    log('starting the system');
    lab = await startLabSystem({ log });
    const registry = { url: lab.system.registryUrl, token: lab.system.registryToken, target: 'main' };
    const context = await prepareScenario(scenario, { gatewayUrl: lab.system.gatewayUrl, registry });
    const supergraph = await supergraphToFile(lab);
    const contenders: [string, () => Promise<GatewayVariant>][] = [
      ['autograph: full chain, response cache off', () => startGatewayVariant(lab!, RESPONSE_CACHE_OFF)],
      ['autograph: full chain', () => startGatewayVariant(lab!)],
      ['bare: same gateway, every plugin off', () => startGatewayVariant(lab!, ALL_OFF)],
      ['stock Hive Gateway on Node', () => startHiveGatewayOnNode(supergraph)],
      ['Apollo Gateway (Node)', () => startApolloGateway(supergraph)],
    ];
    const results: ContenderResult[] = [];
    for (const [name, start] of contenders) {
      log(`${name}: warming up, then ${durationSec} s`);
      const gateway = await start();
      try {
        results.push(await measure(name, gateway, scenario, context, connections, durationSec));
        log(`${name}: ${Math.round(results.at(-1)!.rps)} RPS, p95 ${results.at(-1)!.p95Ms.toFixed(1)} ms`);
      } finally {
        await gateway.stop();
      }
    }
    const [fullUncached, , bare, , apollo] = results;

    log('persisted cache hits on the full chain');
    const persisted = getScenario('persisted-hit');
    const full = await startGatewayVariant(lab);
    let persistedHitRps: number | null = null;
    let p95At80Ms: number | null = null;
    try {
      const persistedContext = await prepareScenario(persisted, { gatewayUrl: full.url, registry });
      persistedHitRps = (await measure('persisted hits', full, persisted, persistedContext, persisted.load.connections, durationSec)).rps;
      log(`p95 at 80 % of the uncached maximum (${Math.round(fullUncached!.rps * 0.8)} RPS)`);
    } catch (error) {
      log(`persisted hits not measured: ${(error as Error).message}`);
    } finally {
      await full.stop();
    }
    const uncached = await startGatewayVariant(lab, RESPONSE_CACHE_OFF);
    try {
      const next = createRequestSource(scenario, context);
      const paced = await runLoad({ url: uncached.url, scenario, next, connections: connections * 2, durationSec, rate: Math.round(fullUncached!.rps * 0.8) });
      p95At80Ms = paced.latency.p95Ms;
    } finally {
      await uncached.stop();
    }
    const sqlPerRequest = await sqlStatementsPerRequest(lab);

    const goals = evaluateGoals({ fullUncached: fullUncached!.rps, bare: bare!.rps, apollo: apollo!.rps, persistedHitRps, p95At80Ms, sqlPerRequest });
    const report = { kind: 'compare', scenario: scenario.name, machine: describeMachine(), load: { connections, durationSec }, results, goals };
    writeFileSync(join(RESULTS_DIR, `compare-${scenario.name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    const markdown = renderCompareMarkdown(report);
    writeFileSync(join(RESULTS_DIR, `compare-${scenario.name}.md`), markdown);
    console.log(markdown);
  } finally {
    await lab?.stop();
  }
}

async function measure(name: string, gateway: GatewayVariant, scenario: Scenario, context: Awaited<ReturnType<typeof prepareScenario>>, connections: number, durationSec: number): Promise<ContenderResult> {
  const next = createRequestSource(scenario, context);
  await runLoad({ url: gateway.url, scenario, next, connections, durationSec: Math.min(5, durationSec) });
  const before = processUsage(gateway.pid);
  const result: LoadResult = await runLoad({ url: gateway.url, scenario, next, connections, durationSec });
  const after = processUsage(gateway.pid);
  return {
    name,
    rps: result.requests / result.durationSec,
    p50Ms: result.latency.p50Ms,
    p95Ms: result.latency.p95Ms,
    p99Ms: result.latency.p99Ms,
    failures: result.failures,
    requests: result.requests,
    cpuPercent: before && after ? ((after.cpuSec - before.cpuSec) / result.durationSec) * 100 : null,
    rssMiB: after?.rssMiB ?? null,
  };
}

/** SQL statements the subgraphs run per request for a short and a long offer list (DataLoader batching). */
async function sqlStatementsPerRequest(lab: LabSystem): Promise<{ small: number; large: number }> {
  const count = async () => {
    let total = 0;
    for (const url of Object.values(lab.system.subgraphUrls)) {
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const line of text.split('\n')) if (line.startsWith('autograph_sql_statements_total')) total += Number(line.split(' ').pop());
    }
    return total;
  };
  const perRequest = async (first: number) => {
    // A different price bound each time: no response-cache hit hides the SQL.
    const query = 'query ($first: Int, $max: Int) { offers(first: $first, filter: { priceMax: $max }) { edges { node { id title seller { name } model { name make { name } } } } } }';
    const before = await count();
    for (let i = 0; i < 20; i++) {
      const variables = { first, max: 10_000_000 - first * 1_000 - i };
      const response = await fetch(`${lab.system.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      await response.text();
    }
    return ((await count()) - before) / 20;
  };
  return { small: await perRequest(5), large: await perRequest(50) };
}

function renderCompareMarkdown(report: { scenario: string; machine: ReturnType<typeof describeMachine>; load: { connections: number; durationSec: number }; results: ContenderResult[]; goals: Goal[] }) {
  const apollo = report.results.find((r) => r.name.startsWith('Apollo'))!;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return `# Side by side: ${report.scenario}

${report.machine.date} · commit ${report.machine.commit} · ${report.machine.cpu}, ${report.machine.memoryGiB} GiB · Bun ${report.machine.bun}, Node ${Bun.spawnSync(['node', '--version']).stdout.toString().trim()} (peers) · ${report.load.connections} connections, ${report.load.durationSec} s each after a warm-up, loopback, same subgraphs and data

| gateway | RPS | × Apollo | p50 | p95 | p99 | failures | CPU | RSS |
|---------|----:|---------:|----:|----:|----:|---------:|----:|----:|
${report.results.map((r) => `| ${r.name} | ${Math.round(r.rps)} | ${(r.rps / apollo.rps).toFixed(2)} | ${ms(r.p50Ms)} | ${ms(r.p95Ms)} | ${ms(r.p99Ms)} | ${r.failures} / ${r.requests} | ${r.cpuPercent === null ? '–' : `${Math.round(r.cpuPercent)} %`} | ${r.rssMiB === null ? '–' : `${Math.round(r.rssMiB)} MiB`} |`).join('\n')}

## Goals

| goal | measured | holds |
|------|---------:|-------|
${report.goals.map((g) => `| ${g.goal} | ${g.measured} | ${g.holds ? 'yes' : '**no**'} |`).join('\n')}

The load generator (autocannon) shares the 2 cores with the gateway and the subgraphs: absolute numbers are lower than on separate machines; ratios measured in one run are what to compare.
`;
}

function log(message: string) {
  console.error(`[perf] ${message}`);
}
