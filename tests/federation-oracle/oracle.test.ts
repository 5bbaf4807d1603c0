import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { stopTracing } from '../../kit/telemetry';
import { eventually } from '../support/graphql';
import { cases } from './cases';
import { chainCase } from './cases/chain';
import { overrides, startSideServices, type SideServices } from './gateways';
import { expectedAnswer, post, startCase, withCodeOursAdds, type Answer, type RunningCase } from './harness';

/**
 * Stock Hive Gateway is the oracle for our production gateway: see harness.ts. One test per
 * query of each case in cases/; a last group checks that every concern of our chain was really on.
 * Attribute a difference by switching one concern off: `ORACLE_OURS_RESPONSE_CACHE=off bun test tests/federation-oracle`.
 * ORACLE_DEBUG=1 prints every response body (with messages).
 */

/** Compared under a label, so a failure's diff says which run differed. */
const expectSame = (label: string, received: Answer, expected: Answer) =>
  expect({ [label]: received }).toEqual({ [label]: expected });

let side: SideServices;
const tally = { queries: 0, cacheable: 0, warmHits: 0, equal: 0 };
/** Distinct composed supergraphs: cases sharing subgraphs do not count twice. */
const supergraphs = new Set<string>();

beforeAll(async () => {
  side = await startSideServices();
});

afterAll(async () => {
  side?.stop();
  // Tracing registered OpenTelemetry globals in this process: later test files must start afresh.
  await stopTracing();
  const switched = Object.entries(overrides()).map(([name, value]) => `${name}=${value}`);
  console.log(
    `federation-oracle: ${cases.length} cases (${supergraphs.size} distinct supergraphs), ${tally.queries} queries, ${tally.equal} equal to the oracle (cold and warm), ` +
      `${tally.warmHits} warm runs were response-cache hits (x-cache: HIT) of ${tally.cacheable} cacheable (error-free queries)${switched.length ? `; overrides: ${switched.join(' ')}` : ''}`,
  );
});

for (const definition of cases) {
  describe(definition.name, () => {
    let run: RunningCase;
    beforeAll(async () => {
      run = await startCase(definition, side);
      supergraphs.add(run.supergraph);
    }, 60_000);
    afterAll(async () => {
      await run?.stop();
    });

    for (const query of definition.queries) {
      test(query.name, async () => {
        const { oracle, cold, warm, warmHit, bodies } = await run.execute(query);
        if (process.env.ORACLE_DEBUG) console.log(`${definition.name} > ${query.name}\n${JSON.stringify(bodies)}`);
        tally.queries++;
        // Only error-free query results are cached: those could have been hits.
        if (!oracle.errors.length && !/^\s*mutation\b/.test(query.query)) tally.cacheable++;
        if (warmHit) tally.warmHits++;
        // The fixture first: the oracle must answer what the case was written to produce.
        expectSame('oracle vs the case', oracle, expectedAnswer(query));
        const onPurpose = query.oursOnPurpose;
        const ours = onPurpose
          ? expectedAnswer({ ...query, expect: onPurpose })
          : withCodeOursAdds(oracle, query.codeOursAdds);
        expectSame('ours (cold) vs oracle', cold, ours);
        expectSame(`ours (warm${warmHit ? ', cache hit' : ''}) vs oracle`, warm, ours);
        // Errors are part of our API: every one carries a code, even where stock Hive gives none.
        expect([...cold.errors, ...warm.errors].filter((error) => !error.code)).toEqual([]);
        tally.equal++;
      });
    }
  });
}

/**
 * The comparisons above prove little if a concern was silently off: each one is observed here,
 * on our gateway running a small case of its own.
 */
describe('our gateway runs with every concern of the chain on', () => {
  let run: RunningCase;
  const [cheap, tooCostly] = chainCase.queries;
  beforeAll(async () => {
    run = await startCase(chainCase, side);
  }, 60_000);
  afterAll(async () => {
    await run?.stop();
  });

  test('caching: a repeated query is a response-cache hit (Redis)', async () => {
    const first = await post(run.ours.url, cheap!);
    expect(first.headers.get('x-cache')).toBe('MISS');
    // The store is written after the response is sent: allow it a moment.
    const hit = await eventually(
      async () => (await post(run.ours.url, cheap!)).headers.get('x-cache') === 'HIT',
      2_000,
      20,
    );
    expect(hit).toBe(true);
  });

  test('rate limits: loopback clients are charged (RateLimit headers), and MAX_QUERY_COST refuses a costly query the oracle runs', async () => {
    const charged = await post(run.ours.url, cheap!);
    expect(charged.headers.get('ratelimit-limit')).not.toBeNull();
    const refused = await post(run.ours.url, tooCostly!);
    expect({ status: refused.answer.status, codes: refused.answer.errors.map((error) => error.code) }).toEqual({
      status: 400,
      codes: ['QUERY_TOO_COMPLEX'],
    });
    expect((await post(run.oracle.url, tooCostly!)).answer.errors).toEqual([]);
  });

  test('security: JWT verification against the local JWKS (valid token served, forged one refused)', async () => {
    const valid = await post(run.ours.url, cheap!, { authorization: `Bearer ${await side.token('oracle-user')}` });
    expect({ status: valid.answer.status, errors: valid.answer.errors }).toEqual({ status: 200, errors: [] });
    const forged = await post(run.ours.url, cheap!, { authorization: `Bearer ${await side.forgedToken()}` });
    expect({ status: forged.answer.status, codes: forged.answer.errors.map((error) => error.code) }).toEqual({
      status: 401,
      codes: ['UNAUTHENTICATED'],
    });
  });

  test('telemetry: /metrics counts our requests', async () => {
    const metrics = await (await fetch(run.ours.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toContain('autograph_gateway_response_cache_requests_total');
  });

  test('resilience: an unreachable subgraph gives SUBGRAPH_UNAVAILABLE (stock Hive has no such code)', async () => {
    await run.subgraphs.find((subgraph) => subgraph.name === 'chain-b')!.stop();
    const [, , outage] = chainCase.queries;
    const answer = (await post(run.ours.url, outage!)).answer;
    expect(answer.errors.map((error) => error.code)).toContain('SUBGRAPH_UNAVAILABLE');
  });

  test('telemetry: traces were exported to the OTLP sink', async () => {
    // Stopping a gateway flushes its spans.
    await run.stop();
    expect(side.spanExports()).toBeGreaterThan(0);
  });
});
