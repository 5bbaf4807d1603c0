import { expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getScenario } from '../scenarios';
import { runLoad } from '../lab/load';
import { describeMachine } from '../lab/machine';
import { buildRunReport, writeRunReport } from '../lab/report';
import { createRequestSource } from '../lab/requests';
import { prepareScenario } from '../lab/setup';
import { evaluateThresholds } from '../lab/stats';
import { startApolloGateway, startHiveGatewayOnNode, supergraphToFile } from '../lab/peers';
import { getSystem } from '../../tests/support/system';
import { TEST_REDIS_URL } from '../../tests/support/queues';
import { labTiers, withCpu } from '../lab/cpu/measure';

// A few seconds of real load through the whole system: the harness works end to end. The numbers
// are not asserted (benchmarks are not tests); that requests flowed, failed never, and were reported is.
test('a short run prepares, loads the real gateway and writes a complete report', async () => {
  const system = await getSystem();
  const scenario = getScenario('catalog-browse');
  const context = await prepareScenario(scenario, { gatewayUrl: system.gatewayUrl });
  expect(context.pools.makes!.length).toBeGreaterThan(0);

  const ticks: number[] = [];
  const lab = { system, redisUrl: TEST_REDIS_URL, stop: async () => {} };
  const tiers = await labTiers({ gatewayUrl: system.gatewayUrl, lab });
  const { result, cpu } = await withCpu(tiers, () =>
    runLoad({
      url: system.gatewayUrl,
      scenario,
      next: createRequestSource(scenario, context),
      connections: 4,
      durationSec: 2,
      driver: 'autocannon',
      onTick: (_, second) => ticks.push(second),
    }),
  );
  // Every tier was found: the gateway by its port, the subgraphs by command line, the database's backends, Redis.
  const tierNames = cpu.rows.map((row) => row.tier);
  expect(tierNames).toEqual([
    'gateway',
    ...Object.keys(system.subgraphUrls).map((name) => `subgraph: ${name}`),
    'PostgreSQL',
    'Redis',
    'load generator',
  ]);
  for (const row of cpu.rows) expect(row.msPerRequest).not.toBeNull();
  expect(cpu.rows[0]!.msPerRequest!).toBeGreaterThan(0);
  expect(result.requests).toBeGreaterThan(20);
  expect(result.failures).toBe(0);
  expect(Object.keys(result.byOperation).sort()).toEqual(['make-models', 'makes']);
  expect(result.byOperation['make-models']!.requests + result.byOperation.makes!.requests).toBe(result.requests);
  expect(result.perSecond.length).toBeGreaterThanOrEqual(1);
  expect(ticks[0]).toBe(1);

  const report = buildRunReport({
    scenario,
    label: 'smoke',
    machine: describeMachine(),
    load: { connections: 4, durationSec: 2 },
    result,
    thresholds: evaluateThresholds({ maxErrorRate: 0.001 }, result),
    cpu,
  });
  const dir = mkdtempSync(join(tmpdir(), 'perf-smoke-'));
  const files = writeRunReport(report, 'smoke', dir);
  for (const file of Object.values(files)) expect(existsSync(file)).toBe(true);
  const json = JSON.parse(readFileSync(files.json, 'utf8'));
  expect(json.result.requests).toBe(result.requests);
  expect(json.machine.commit).toMatch(/^[0-9a-f]{7,}/);
  expect(readFileSync(files.markdown, 'utf8')).toContain('| maxErrorRate | ≤ 0.100 % | 0.000 % | pass |');
  expect(readFileSync(files.markdown, 'utf8')).toMatch(/\| gateway \| \d+\.\d{3} ms \|/);
  expect(readFileSync(files.chart, 'utf8')).toStartWith('<svg');
}, 120_000);

test('the lab refuses to load anything but loopback', async () => {
  const scenario = getScenario('offer-list-2hop');
  await expect(
    runLoad({
      url: 'http://example.com',
      scenario,
      next: createRequestSource(scenario, { pools: {}, tokens: [] }),
      durationSec: 1,
    }),
  ).rejects.toThrow(/only targets loopback/);
});

test('the peers of `bun perf compare` serve the same answers as our gateway from the same supergraph', async () => {
  const system = await getSystem();
  const lab = { system, stop: async () => {} };
  const file = await supergraphToFile(lab);
  const query = JSON.stringify({
    query: '{ offers(first: 3, orderBy: PRICE_ASC) { edges { node { id title seller { name } model { name } } } } }',
  });
  const ask = async (url: string) =>
    (
      await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: query })
    ).json();
  const ours = await ask(system.gatewayUrl);
  expect(ours.data.offers.edges).toHaveLength(3);
  for (const start of [startHiveGatewayOnNode, startApolloGateway]) {
    const peer = await start(file);
    try {
      expect(await ask(peer.url)).toEqual(ours);
    } finally {
      await peer.stop();
    }
  }
}, 120_000);
