import { describe, expect, test } from 'bun:test';
import { buildSchema, parse, validate } from 'graphql';
import { composeServices } from '@theguild/federation-composition';
import { SCENARIOS, getScenario } from '../scenarios';
import { generateK6Script } from '../lab/k6';
import { k6Command } from '../lab/commands/k6';
import { parseEnvFlags } from '../lab/commands/run';
import { evaluateGoals } from '../lab/commands/compare';
import { niceCeil, renderChart } from '../lab/chart';
import { createRequestSource, documentHash, isFailure } from '../lab/requests';
import { evaluateThresholds, percentile, summarize } from '../lab/stats';
import { subgraphs } from '../../subgraphs';
import { printSubgraphSdl } from '../../subgraphs/kit/sdl';

/** A deterministic random source, so distributions can be asserted exactly. */
const seeded = (seed = 42) => () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

describe('report math', () => {
  test('nearest-rank percentiles on known inputs', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  test('summaries sort their input and compute the mean', () => {
    const summary = summarize([30, 10, 20, 40]);
    expect(summary).toEqual({ count: 4, meanMs: 25, p50Ms: 20, p95Ms: 40, p99Ms: 40, maxMs: 40 });
  });

  test('thresholds pass and fail on the right side of the limit', () => {
    const totals = { requests: 10_000, failures: 5, durationSec: 2, latency: summarize([5, 10, 250]) };
    const results = Object.fromEntries(evaluateThresholds({ p95Ms: 200, maxErrorRate: 0.001, minRps: 4_000, p99Ms: 300 }, totals).map((r) => [r.name, r]));
    expect(results.p95Ms).toMatchObject({ actual: 250, pass: false });
    expect(results.p99Ms).toMatchObject({ actual: 250, pass: true });
    expect(results.maxErrorRate).toMatchObject({ actual: 0.0005, pass: true });
    expect(results.minRps).toMatchObject({ actual: 5_000, pass: true });
    // Nothing measured: the run cannot pass.
    const empty = evaluateThresholds({ p95Ms: 200, maxErrorRate: 0.01 }, { requests: 0, failures: 0, durationSec: 1, latency: summarize([]) });
    expect(empty.every((r) => !r.pass)).toBe(true);
  });

  test('chart axes round up to readable maxima and the SVG carries every series', () => {
    expect([niceCeil(1), niceCeil(3), niceCeil(7), niceCeil(12), niceCeil(230)]).toEqual([1, 5, 10, 20, 500]);
    const svg = renderChart('t <&>', [
      { second: 1, requests: 100, failures: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 },
      { second: 2, requests: 120, failures: 1, p50Ms: 1.5, p95Ms: 2.5, p99Ms: 30 },
    ]);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    expect(svg).toContain('t &lt;&amp;&gt;');
    expect(svg).toContain('50 ms'); // p99 of 30 → axis 50
  });
});

describe('scenarios', () => {
  test('every operation is valid against the composed API schema of our subgraphs', async () => {
    const services = await Promise.all(
      Object.entries(subgraphs).map(async ([name, load]) => ({ name, url: `http://${name}`, typeDefs: parse(printSubgraphSdl((await load()).schema)) })),
    );
    const composed = composeServices(services);
    expect(composed.errors ?? []).toEqual([]);
    const api = buildSchema(composed.publicSdl!);
    for (const scenario of Object.values(SCENARIOS)) {
      for (const operation of scenario.operations) {
        const errors = validate(api, parse(operation.query)).map((e) => e.message);
        expect({ scenario: scenario.name, operation: operation.name, errors }).toEqual({ scenario: scenario.name, operation: operation.name, errors: [] });
      }
      for (const pool of Object.values(scenario.pools ?? {})) expect(validate(api, parse(pool.query))).toEqual([]);
    }
  });

  test('the seven scenarios exist with thresholds, and unknown names are refused', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(['catalog-browse', 'mixed-realistic', 'offer-card', 'offer-list-2hop', 'persisted-hit', 'search-facets', 'write-mix']);
    for (const scenario of Object.values(SCENARIOS)) {
      expect(scenario.operations.every((o) => o.weight > 0)).toBe(true);
      expect(Object.keys(scenario.thresholds).length).toBeGreaterThan(0);
    }
    expect(() => getScenario('nope')).toThrow(/unknown scenario "nope"/);
  });

  test('pool extractors read the shapes their queries return', () => {
    const pools = getScenario('write-mix').pools!;
    expect(pools.models!.extract({ makes: [{ models: [{ id: 'm1' }, { id: 'm2' }] }, { models: [{ id: 'm3' }] }] })).toEqual(['m1', 'm2', 'm3']);
    expect(pools.offers!.extract({ offers: { edges: [{ node: { id: 'o1' } }] } })).toEqual(['o1']);
  });
});

describe('request generation', () => {
  const pools = { offers: ['o1', 'o2'], makes: ['k1', 'k2', 'k3'], models: ['m1'] };

  test('operations are drawn by weight', () => {
    const next = createRequestSource(getScenario('write-mix'), { pools, tokens: ['t1', 't2'], random: seeded() });
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const { operation } = next();
      counts[operation] = (counts[operation] ?? 0) + 1;
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(counts['create-offer']! / total).toBeCloseTo(0.3, 1);
    expect(counts['update-offer-price']! / total).toBeCloseTo(0.5, 1);
    expect(counts['add-review']! / total).toBeCloseTo(0.2, 1);
  });

  test('variables come from the pools, tokens rotate, expected errors travel along', () => {
    const next = createRequestSource(getScenario('write-mix'), { pools, tokens: ['t1', 't2'], random: seeded(7) });
    const requests = Array.from({ length: 50 }, next);
    const update = requests.find((r) => r.operation === 'update-offer-price')!;
    expect(update.method).toBe('POST');
    expect(pools.offers).toContain(JSON.parse(update.body!).variables.id);
    expect(update.expectedErrors).toEqual(['FORBIDDEN']);
    expect(new Set(requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer t1', 'Bearer t2']));
    const titles = requests.filter((r) => r.operation === 'create-offer').map((r) => JSON.parse(r.body!).variables.input.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  test('persisted operations are hash-only GETs', () => {
    const scenario = getScenario('persisted-hit');
    const request = createRequestSource(scenario, { pools: {}, tokens: [] })();
    expect(request.method).toBe('GET');
    expect(request.body).toBeUndefined();
    const extensions = JSON.parse(new URL(`http://x${request.path}`).searchParams.get('extensions')!);
    expect(extensions.persistedQuery.sha256Hash).toBe(documentHash(scenario.operations[0]!.query));
    expect(request.path).not.toContain('query=');
  });

  test('an auth operation without users and a pick from an empty pool are clear errors', () => {
    expect(() => createRequestSource(getScenario('write-mix'), { pools, tokens: [] })()).toThrow(/needs users/);
    expect(() => createRequestSource(getScenario('offer-card'), { pools: { offers: [] }, tokens: [] })()).toThrow(/empty pool/);
  });

  test('failures: HTTP errors and unexpected GraphQL codes count; expected codes do not', () => {
    expect(isFailure(200, '{"data":{"a":1}}', [])).toBe(false);
    expect(isFailure(500, 'oops', [])).toBe(true);
    expect(isFailure(429, '{"errors":[{"extensions":{"code":"RATE_LIMITED"}}]}', [])).toBe(true);
    expect(isFailure(200, '{"data":null,"errors":[{"extensions":{"code":"FORBIDDEN"}}]}', ['FORBIDDEN'])).toBe(false);
    expect(isFailure(200, '{"data":null,"errors":[{"extensions":{"code":"FORBIDDEN"}},{"message":"x"}]}', ['FORBIDDEN'])).toBe(true);
    expect(isFailure(200, '{"errors": not json', [])).toBe(true);
  });

  test('--env flags parse as KEY=VALUE and reject anything else', () => {
    expect(parseEnvFlags(['RESPONSE_CACHE=off', 'A_B=x=y'])).toEqual({ RESPONSE_CACHE: 'off', A_B: 'x=y' });
    expect(() => parseEnvFlags(['lower=1'])).toThrow(/KEY=VALUE/);
  });
});

describe('k6 scripts', () => {
  test('the committed scripts are exactly what the scenarios generate', async () => {
    expect(await k6Command(true)).toBe(true);
  });

  test('a script carries the scenario: operations, generators, load and thresholds', () => {
    const scenario = getScenario('write-mix');
    const script = generateK6Script(scenario, 'perf/scenarios/write-mix.ts');
    expect(script).toContain("executor: 'constant-vus', vus: 8, duration: '20s'");
    expect(script).toContain("http_req_duration: ['p(95)<300']");
    expect(script).toContain("graphql_failures: ['rate<0.001']");
    expect(script).toContain('users: 50,');
    expect(script).toContain("import { scenario } from './lib.js';");
    expect(script).toContain(JSON.stringify(scenario.operations[1]!.query));
    expect(script).toContain('expectedErrors: ["FORBIDDEN"]');
    // The generator's own source, transpiled, not a re-implementation.
    expect(script).toContain('pick(pools.offers)');
    const rated = generateK6Script({ ...scenario, load: { ...scenario.load, rate: 500 } }, 'x');
    expect(rated).toContain("executor: 'constant-arrival-rate', rate: 500");
  });

  test('generated scripts type-check against @types/k6', () => {
    const result = Bun.spawnSync(['bunx', 'tsc', '-p', new URL('../k6/tsconfig.json', import.meta.url).pathname], { stdout: 'pipe', stderr: 'pipe' });
    expect(result.stdout.toString() + result.stderr.toString()).toBe('');
    expect(result.exitCode).toBe(0);
  }, 60_000);
});

describe('comparison goals', () => {
  test('each goal holds or fails on the measured numbers', () => {
    const goals = evaluateGoals({ fullUncached: 2_000, bare: 2_100, apollo: 300, persistedHitRps: 31_000, p95At80Ms: 250, sqlPerRequest: { small: 3, large: 3 } });
    expect(goals.map((g) => [g.goal.split(' ')[0] + ' ' + g.goal.split(' ').at(-1), g.measured, g.holds])).toEqual([
      ['full Gateway', '6.67×', true],
      ['full bare', '95.2 %', true],
      ['persisted Redis)', '31000 RPS', true],
      ['p95 throughput', '250.0 ms', false],
      ['SQL size', '3.00 (first: 5) vs 3.00 (first: 50)', true],
    ]);
    const weak = evaluateGoals({ fullUncached: 1_000, bare: 2_000, apollo: 300, persistedHitRps: null, p95At80Ms: null, sqlPerRequest: { small: 3, large: 12 } });
    expect(weak.map((g) => g.holds)).toEqual([false, false, false]);
  });
});
