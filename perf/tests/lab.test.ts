import { describe, expect, test } from 'bun:test';
import { buildSchema, parse, validate } from 'graphql';
import { composeServices } from '@theguild/federation-composition';
import { SCENARIOS, getScenario } from '../scenarios';
import { generateK6Script } from '../lab/k6';
import { k6Command } from '../lab/commands/k6';
import { parseEnvFlags } from '../lab/commands/run';
import {
  deduplicationRows,
  evaluateGoals,
  renderCompareMarkdown,
  reportedRound,
  type ContenderResult,
} from '../lab/commands/compare';
import { niceCeil, renderChart } from '../lab/chart';
import { buildRunReport, renderRunMarkdown } from '../lab/report';
import { cpuTable } from '../lab/cpu/table';
import { createRequestSource, documentHash, isFailure } from '../lab/requests';
import { evaluateThresholds, percentile, summarize } from '../lab/stats';
import {
  descendants,
  foreignCpuSec,
  foreignFromBusy,
  isSharedOrLab,
  labServicesCpuSec,
  undisturbed,
} from '../lab/quiet';
import { subgraphs } from '../../subgraphs';
import { printSubgraphSdl } from '../../subgraphs/framework/sdl';

/** A deterministic random source, so distributions can be asserted exactly. */
const seeded =
  (seed = 42) =>
  () =>
    (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

/** Pools the size of the seeded data's (`SEED_SCALE=small`: 41 makes, 429 models; ~800 offer ids). */
const realisticPools = {
  offers: Array.from({ length: 800 }, (_, i) => `offer-${i}`),
  makes: Array.from({ length: 41 }, (_, i) => `make-${i}`),
  models: Array.from({ length: 429 }, (_, i) => `model-${i}`),
};

/**
 * The chance that two requests of one operation carry the same variables (the sum of squared
 * shares of each distinct request). With 32 connections, a request finds an identical twin in
 * flight with a chance of about 31 times this: what the gateway's deduplication feeds on.
 */
const collisionChance = (bodies: string[]) => {
  const counts = new Map<string, number>();
  for (const body of bodies) counts.set(body, (counts.get(body) ?? 0) + 1);
  return [...counts.values()].reduce((sum, count) => sum + (count / bodies.length) ** 2, 0);
};

/** Requests of a scenario grouped by operation: the variables each sent (or the GET's path). */
const draws = (next: () => { operation: string; body?: string; path: string }, count: number) => {
  const byOperation: Record<string, string[]> = {};
  for (let i = 0; i < count; i++) {
    const request = next();
    (byOperation[request.operation] ??= []).push(
      request.body ? JSON.stringify(JSON.parse(request.body).variables) : request.path,
    );
  }
  return byOperation;
};

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
    const results = Object.fromEntries(
      evaluateThresholds({ p95Ms: 200, maxErrorRate: 0.001, minRps: 4_000, p99Ms: 300 }, totals).map((r) => [
        r.name,
        r,
      ]),
    );
    expect(results.p95Ms).toMatchObject({ actual: 250, pass: false });
    expect(results.p99Ms).toMatchObject({ actual: 250, pass: true });
    expect(results.maxErrorRate).toMatchObject({ actual: 0.0005, pass: true });
    expect(results.minRps).toMatchObject({ actual: 5_000, pass: true });
    // Nothing measured: the run cannot pass.
    const empty = evaluateThresholds(
      { p95Ms: 200, maxErrorRate: 0.01 },
      { requests: 0, failures: 0, durationSec: 1, latency: summarize([]) },
    );
    expect(empty.every((r) => !r.pass)).toBe(true);
  });

  test('a run report says how requests varied, naming the operations identical on purpose', () => {
    const result = {
      requests: 10,
      failures: 0,
      durationSec: 1,
      latency: summarize([1, 2]),
      perSecond: [],
      byOperation: {},
      failureSamples: [],
      transportErrors: 0,
      timeouts: 0,
      generator: { name: 'autocannon' as const, cpuSec: 0.1, note: '' },
    };
    const machine = { date: 'd', commit: 'c', cpu: 'x', memoryGiB: 1, os: 'o', bun: '1', versions: {} };
    const run = (name: string, requests?: 'identical') =>
      renderRunMarkdown(
        buildRunReport({
          scenario: getScenario(name),
          label: 'l',
          machine,
          load: { connections: 1, durationSec: 1 },
          requests,
          result,
          thresholds: [],
          cpu: cpuTable([], 10, 1),
        }),
        'x.svg',
      );
    expect(run('catalog-browse')).toContain(
      '· requests: variables drawn per request, except makes (identical on purpose, see the scenario)',
    );
    expect(run('offer-card')).toContain('· requests: variables drawn per request\n');
    expect(run('offer-card', 'identical')).toContain('· requests: identical (one draw of variables resent');
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
      Object.entries(subgraphs).map(async ([name, load]) => ({
        name,
        url: `http://${name}`,
        typeDefs: parse(printSubgraphSdl((await load()).schema)),
      })),
    );
    const composed = composeServices(services);
    expect(composed.errors ?? []).toEqual([]);
    const api = buildSchema(composed.publicSdl!);
    for (const scenario of Object.values(SCENARIOS)) {
      for (const operation of scenario.operations) {
        const errors = validate(api, parse(operation.query)).map((e) => e.message);
        expect({ scenario: scenario.name, operation: operation.name, errors }).toEqual({
          scenario: scenario.name,
          operation: operation.name,
          errors: [],
        });
      }
      for (const pool of Object.values(scenario.pools ?? {})) expect(validate(api, parse(pool.query))).toEqual([]);
    }
  });

  test('the seven scenarios exist with thresholds, and unknown names are refused', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([
      'catalog-browse',
      'mixed-realistic',
      'offer-card',
      'offer-list-2hop',
      'persisted-hit',
      'search-facets',
      'write-mix',
    ]);
    for (const scenario of Object.values(SCENARIOS)) {
      expect(scenario.operations.every((o) => o.weight > 0)).toBe(true);
      expect(Object.keys(scenario.thresholds).length).toBeGreaterThan(0);
    }
    expect(() => getScenario('nope')).toThrow(/unknown scenario "nope"/);
  });

  test('pool extractors read the shapes their queries return', () => {
    const pools = getScenario('write-mix').pools!;
    expect(
      pools.models!.extract({ makes: [{ models: [{ id: 'm1' }, { id: 'm2' }] }, { models: [{ id: 'm3' }] }] }),
    ).toEqual(['m1', 'm2', 'm3']);
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
    const titles = requests
      .filter((r) => r.operation === 'create-offer')
      .map((r) => JSON.parse(r.body!).variables.input.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  test('every operation varies its variables per request, unless it says why it is identical', () => {
    for (const scenario of Object.values(SCENARIOS)) {
      const byOperation = draws(
        createRequestSource(scenario, { pools: realisticPools, tokens: ['t1'], random: seeded(3) }),
        4_000,
      );
      for (const operation of scenario.operations) {
        const bodies = byOperation[operation.name]!;
        const where = `${scenario.name}/${operation.name}`;
        if (operation.identical) {
          expect({ where, reason: operation.identical.length > 20 }).toEqual({ where, reason: true });
          continue;
        }
        // Fewer than one identical twin expected among 32 connections.
        expect({ where, varies: new Set(bodies).size > 1, collisionChance: collisionChance(bodies) < 1 / 32 }).toEqual({
          where,
          varies: true,
          collisionChance: true,
        });
      }
    }
  });

  test('the 2-hop sends a different price floor on almost every request, in realistic kopecks', () => {
    const scenario = getScenario('offer-list-2hop');
    const floors = Array.from(
      { length: 1_000 },
      createRequestSource(scenario, { pools: {}, tokens: [], random: seeded(11) }),
    ).map((r) => JSON.parse(r.body!).variables.priceMin as number);
    expect(new Set(floors).size).toBeGreaterThan(800);
    expect(Math.min(...floors)).toBeGreaterThanOrEqual(5_000_000); // 50,000 ₽
    expect(Math.max(...floors)).toBeLessThanOrEqual(300_000_000); // 3,000,000 ₽
    expect(floors.every((floor) => floor % 100_000 === 0)).toBe(true);
    // Ordered by price: each floor has its own page (newest first, floors share a few pages).
    expect(scenario.operations[0]!.query).toContain('orderBy: PRICE_ASC');
  });

  test('identical mode resends one draw per operation; the default draws afresh', () => {
    for (const name of ['offer-list-2hop', 'mixed-realistic']) {
      const scenario = getScenario(name);
      const identical = draws(
        createRequestSource(
          scenario,
          { pools: realisticPools, tokens: ['t1'], random: seeded(5) },
          { identical: true },
        ),
        500,
      );
      for (const bodies of Object.values(identical)) expect(new Set(bodies).size).toBe(1);
      const varied = draws(
        createRequestSource(scenario, { pools: realisticPools, tokens: ['t1'], random: seeded(5) }),
        500,
      );
      expect(new Set(varied[scenario.operations[0]!.name]).size).toBeGreaterThan(100);
    }
  });

  test('the offer pool is wide: many pages over the price range, deduplicated', () => {
    const pool = getScenario('offer-card').pools!.offers!;
    expect(pool.query.match(/offers\(first: 100/g)!.length).toBeGreaterThanOrEqual(8);
    expect(
      pool.extract({
        a: { edges: [{ node: { id: 'o1' } }, { node: { id: 'o2' } }] },
        b: { edges: [{ node: { id: 'o2' } }, { node: { id: 'o3' } }] },
      }),
    ).toEqual(['o1', 'o2', 'o3']);
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
    expect(() => createRequestSource(getScenario('offer-card'), { pools: { offers: [] }, tokens: [] })()).toThrow(
      /empty pool/,
    );
  });

  test('failures: HTTP errors and unexpected GraphQL codes count; expected codes do not', () => {
    expect(isFailure(200, '{"data":{"a":1}}', [])).toBe(false);
    expect(isFailure(500, 'oops', [])).toBe(true);
    expect(isFailure(429, '{"errors":[{"extensions":{"code":"RATE_LIMITED"}}]}', [])).toBe(true);
    expect(isFailure(200, '{"data":null,"errors":[{"extensions":{"code":"FORBIDDEN"}}]}', ['FORBIDDEN'])).toBe(false);
    expect(
      isFailure(200, '{"data":null,"errors":[{"extensions":{"code":"FORBIDDEN"}},{"message":"x"}]}', ['FORBIDDEN']),
    ).toBe(true);
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
    const result = Bun.spawnSync(['bunx', 'tsc', '-p', new URL('../k6/tsconfig.json', import.meta.url).pathname], {
      stdout: 'pipe',
      stderr: 'pipe',
    });
    expect(result.stdout.toString() + result.stderr.toString()).toBe('');
    expect(result.exitCode).toBe(0);
  }, 60_000);
});

describe('shared machine', () => {
  test("foreign CPU counts other processes' ticks and other databases' backends, not the lab's tree, Redis or PostgreSQL's own processes", () => {
    const table = (ticks: number) =>
      new Map<number, { ppid: number; ticks: number; name: string; childTicks?: number }>([
        [1, { ppid: 0, ticks, name: 'init' }],
        [10, { ppid: 1, ticks, name: 'bun' }], // the lab
        [11, { ppid: 10, ticks, name: 'bun' }], // its gateway
        [12, { ppid: 11, ticks, name: 'node' }], // a peer under it
        [20, { ppid: 1, ticks, name: 'bun test' }], // someone else's tests
        [21, { ppid: 1, ticks, name: 'postgres: 15/main: checkpointer' }],
        [22, { ppid: 1, ticks, name: 'redis-server' }],
        [23, { ppid: 1, ticks, name: 'postgres: 15/main: postgres autograph_perf 127.0.0.1(50692) idle' }],
        [24, { ppid: 1, ticks, name: '/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main' }],
      ]);
    expect([...descendants(table(0), 10)].sort()).toEqual([10, 11, 12]);
    // 150 ticks each for init and the other tests: 3 s of CPU at 100 ticks per second.
    expect(foreignCpuSec(table(0), table(150), 10)).toBe(3);
    const after = table(150);
    after.set(30, { ppid: 20, ticks: 50, name: 'tsc' }); // started during the run
    expect(foreignCpuSec(table(0), after, 10)).toBe(3.5);
    // Another database's backend is someone else's work.
    after.set(31, { ppid: 24, ticks: 100, name: 'postgres: 15/main: postgres e2e_mx56r04d 127.0.0.1(49512) INSERT' });
    expect(foreignCpuSec(table(0), after, 10)).toBe(4.5);
    expect(isSharedOrLab('postgres: 15/main: postgres e2e_x 127.0.0.1(1) idle')).toBe(false);
    expect(isSharedOrLab('postgres: 15/main: postgres autograph_perf [local] idle')).toBe(true);
    expect(isSharedOrLab('bun test')).toBe(false);
    // The lab's services: its children but the load generator (10) and the gateway's tree (11, 12),
    // plus the lab database's backend (23): 150 ticks each for 23 and the subgraph (13).
    const withSubgraph = (ticks: number) => table(ticks).set(13, { ppid: 10, ticks, name: 'bun' });
    expect(labServicesCpuSec(withSubgraph(0), withSubgraph(150), 10, [11])).toBe(3);
    // From the machine's busy time: what is not the lab's nor shared is foreign, including
    // processes that came and went between the two tables. Ours and shared: 10, 11, 12, 21, 22, 23, 24.
    expect(foreignFromBusy(7 * 150 + 300 + 500, table(0), table(150), 10)).toBe(8);
    expect(foreignFromBusy(100, table(0), table(150), 10)).toBe(0);
    // The load generator's child (wrk, 40) used 30 ticks before the window and 200 in it, then
    // ended: its 230 ticks land in the lab's cutime. Only the 200 of the window are the lab's.
    const withWrk = table(0).set(40, { ppid: 10, ticks: 30, name: 'wrk' });
    const afterWrk = table(150).set(10, { ppid: 1, ticks: 150, name: 'bun', childTicks: 230 });
    expect(foreignFromBusy(7 * 150 + 200 + 300 + 500, withWrk, afterWrk, 10)).toBe(8);
  });

  test('a disturbed run is repeated, and the least disturbed attempt is kept', async () => {
    const run = async (foreign: number[], attempts: number) => {
      let calls = 0;
      const logged: string[] = [];
      const outcome = await undisturbed('x', async () => ++calls, {
        attempts,
        log: (m) => logged.push(m),
        wait: async () => ({ waitedSec: 0, quiet: true, foreignCpuPercent: 0 }),
        watch: () => ({ stop: () => ({ foreignCpuPercent: foreign[calls - 1]! }) }),
      });
      return { ...outcome, calls, logged: logged.length };
    };
    expect(await run([3], 3)).toEqual({ value: 1, foreignCpuPercent: 3, attempt: 1, attempts: 1, calls: 1, logged: 0 });
    expect(await run([60, 5, 0], 3)).toEqual({
      value: 2,
      foreignCpuPercent: 5,
      attempt: 2,
      attempts: 2,
      calls: 2,
      logged: 1,
    });
    expect(await run([60, 20, 40], 3)).toEqual({
      value: 2,
      foreignCpuPercent: 20,
      attempt: 2,
      attempts: 3,
      calls: 3,
      logged: 3,
    });
    expect(await run([60, 5], 1)).toEqual({
      value: 1,
      foreignCpuPercent: 60,
      attempt: 1,
      attempts: 1,
      calls: 1,
      logged: 1,
    });
  });
});

describe('comparison goals', () => {
  const result = (name: string, requestMode: 'varied' | 'identical', rps: number): ContenderResult => ({
    name,
    requestMode,
    rps,
    p50Ms: 10,
    p95Ms: requestMode === 'varied' ? 40 : 20,
    p99Ms: 50,
    failures: 0,
    requests: rps * 15,
    cpuPercent: 100,
    rssMiB: 300,
    servicesCpuMsPerRequest: 2.5,
    foreignCpuPercent: name.startsWith('bare') && requestMode === 'identical' ? 40 : 2,
    round: name.startsWith('bare') && requestMode === 'identical' ? 3 : 1,
  });
  const results = [
    result('autograph: full chain, response cache off', 'varied', 600),
    result('autograph: full chain, response cache off', 'identical', 1_300),
    result('bare: same gateway, every plugin off', 'varied', 800),
    result('bare: same gateway, every plugin off', 'identical', 2_400),
    result('Apollo Gateway (Node)', 'varied', 200),
  ];

  test('of several rounds, the median undisturbed one is reported, else the least disturbed', () => {
    const runs = [
      { ...result('bare', 'varied', 500), foreignCpuPercent: 60, round: 1 },
      { ...result('bare', 'varied', 700), foreignCpuPercent: 9, round: 2 },
      { ...result('bare', 'varied', 650), foreignCpuPercent: 3, round: 3 },
      { ...result('bare', 'varied', 900), foreignCpuPercent: 4, round: 4 },
      { ...result('bare', 'varied', 300), foreignCpuPercent: 20, round: 5 },
    ];
    // Undisturbed: 650, 700, 900 → 700 (the fast minute of round 4 is not the figure).
    expect(reportedRound(runs).round).toBe(2);
    // An even number: the lower middle one.
    expect(reportedRound(runs.slice(1, 3)).round).toBe(3);
    // None undisturbed: the least disturbed.
    expect(reportedRound([runs[0]!, runs[4]!]).round).toBe(5);
    expect(() => reportedRound([])).toThrow();
  });

  test('deduplication rows pair identical with varied runs of the same gateway', () => {
    expect(
      deduplicationRows(results).map((row) => [
        row.name.split(':')[0],
        row.identicalRps,
        row.variedRps,
        row.inflation,
        row.identicalP95Ms,
        row.variedP95Ms,
      ]),
    ).toEqual([
      ['autograph', 1_300, 600, 1_300 / 600, 20, 40],
      ['bare', 2_400, 800, 3, 20, 40],
    ]);
  });

  test('the report leads with varied figures and shows the inflation of identical ones', () => {
    const markdown = renderCompareMarkdown({
      scenario: 'offer-list-2hop',
      machine: { date: 'd', commit: 'abc1234', cpu: 'cpu', memoryGiB: 1, bun: '1', versions: {} } as never,
      load: { connections: 32, durationSec: 15, rounds: 3 },
      requests: {
        operations: [{ name: 'offer-list', query: 'query Q { x }', identical: null }],
        variedExamples: [{ priceMin: 1 }, { priceMin: 2 }],
        identicalVariables: { priceMin: 7 },
      },
      results,
      deduplication: deduplicationRows(results),
      allRounds: [
        ...results,
        { ...results[0]!, rps: 450, round: 2 },
        { ...results[0]!, rps: 900, foreignCpuPercent: 50, round: 3 },
      ],
      goals: evaluateGoals({
        fullUncached: 600,
        bare: 800,
        apollo: 200,
        persistedHitRps: null,
        atEighty: null,
        sqlPerRequest: null,
      }),
    });
    const varied = markdown.slice(
      markdown.indexOf('## Varied variables'),
      markdown.indexOf('## Identical requests vs'),
    );
    // The range over undisturbed rounds leaves out the disturbed one (900 RPS at 50 %).
    expect(varied).toContain('| autograph: full chain, response cache off | 600 | 450–600 (2) | 3.00 |');
    expect(varied).toContain('| bare: same gateway, every plugin off | 800 | – | 4.00 |');
    expect(varied).toContain('| 100 % | 1.67 ms | 2.50 ms | 300 MiB |'); // one core at 600 RPS
    expect(markdown).toContain('| 300 MiB | 40 % ⚠ (round 3) |');
    expect(varied).toContain('| 300 MiB | 2 % (round 1) |');
    expect(markdown).toContain('Runs marked ⚠ were disturbed');
    expect(varied).not.toContain('| 1300 |');
    expect(markdown).toContain('| bare: same gateway, every plugin off | 2400 | 800 | **3.00×** | 20.0 ms | 40.0 ms |');
    expect(markdown).toContain('`{"priceMin":7}`');
    expect(markdown).toContain('| full chain, uncached (varied variables) ≥ 6× Apollo Gateway | 3.00× | **no** |');
  });

  test('each goal holds or fails on the measured numbers', () => {
    const goals = evaluateGoals({
      fullUncached: 2_000,
      bare: 2_100,
      apollo: 300,
      persistedHitRps: 31_000,
      atEighty: { rate: 1600, p95Ms: 250, failures: 0, requests: 16_000 },
      sqlPerRequest: { small: 3, large: 3 },
    });
    expect(goals.map((g) => [g.goal.split(' ')[0] + ' ' + g.goal.split(' ').at(-1), g.measured, g.holds])).toEqual([
      ['full Gateway', '6.67×', true],
      ['full bare', '95.2 %', true],
      ['persisted Redis)', '31000 RPS', true],
      ['p95 throughput', '250.0 ms, 0 / 16000 failed', false],
      ['SQL size', '3.00 (first: 5) vs 3.00 (first: 50)', true],
    ]);
    const weak = evaluateGoals({
      fullUncached: 1_000,
      bare: 2_000,
      apollo: 300,
      persistedHitRps: null,
      atEighty: null,
      sqlPerRequest: { small: 3, large: 12 },
    });
    expect(weak.map((g) => g.holds)).toEqual([false, false, false]);
    // Fast but dropping requests: the dropped ones have no latency to raise the p95.
    const dropping = evaluateGoals({
      fullUncached: 2_000,
      bare: 2_100,
      apollo: 300,
      persistedHitRps: null,
      atEighty: { rate: 1600, p95Ms: 50, failures: 200, requests: 16_000 },
      sqlPerRequest: null,
    });
    expect(dropping.find((g) => g.goal.startsWith('p95'))!.holds).toBe(false);
  });
});
