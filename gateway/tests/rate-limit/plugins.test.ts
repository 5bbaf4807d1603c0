import { afterEach, describe, expect, test } from 'bun:test';
import { caching } from '../../caching';
import { rateLimit } from '../../rate-limit';
import { codesOf, createInMemoryGateway, metricValue, testDeps, testOptions, type InMemoryGateway } from '../in-memory';

/**
 * useRateLimit on an in-memory gateway, built by the concern's index from its environment variables
 * with no Redis (the in-memory sliding-window store). Clients come from TEST-NET addresses, which
 * are never exempt; loopback is, by default.
 */

const gateways: InMemoryGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.dispose()));
});

function limitedGateway(env: Record<string, string>) {
  const deps = testDeps();
  const gateway = createInMemoryGateway({ parts: [rateLimit(testOptions(env).rateLimit, deps)] });
  gateways.push(gateway);
  return { gateway, metrics: deps.metrics };
}

const rejections = 'autograph_gateway_rate_limit_rejections_total';
/** `products(first: 50) { id name }`: 1 + 50 x 2. */
const COST_101 = '{ products(first: 50) { id name } }';

describe('request budget', () => {
  test('RATE_LIMIT_REQUESTS per client, then 429 with Retry-After, RATE_LIMITED and RateLimit headers; the subgraph is not asked', async () => {
    const { gateway, metrics } = limitedGateway({ RATE_LIMIT_REQUESTS: '2', RATE_LIMIT_WINDOW_MS: '60000' });
    const products = gateway.subgraph('products');
    const query = '{ product(id: "1") { name } }';
    const first = await gateway.graphql(query);
    expect(first.status).toBe(200);
    expect(first.headers.get('RateLimit-Limit')).toBe('2');
    expect(first.headers.get('RateLimit-Remaining')).toBe('1');
    expect((await gateway.graphql(query)).data).toEqual({ product: { name: 'Kettle' } });
    const calls = products.calls.length;

    const refused = await gateway.graphql(query);
    expect(refused.status).toBe(429);
    expect(refused.data).toBeUndefined();
    expect(codesOf(refused)).toEqual(['RATE_LIMITED']);
    expect(refused.errors![0]!.extensions).toMatchObject({ scope: 'client' });
    const retryAfter = Number(refused.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(refused.errors![0]!.extensions!.retryAfter).toBe(retryAfter);
    expect(refused.headers.get('RateLimit-Remaining')).toBe('0');
    expect(products.calls.length).toBe(calls);
    expect(await metricValue(metrics, rejections, { reason: 'rate_limited', scope: 'client' })).toBe(1);

    // Another client has a budget of its own; loopback is exempt by default.
    expect((await gateway.graphql(query, { remoteAddress: '192.0.2.99' })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await gateway.graphql(query, { remoteAddress: '127.0.0.1' })).status).toBe(200);
  });

  test('an answer from the response cache spends the request budget too (the refusal is not replaced by the hit)', async () => {
    const deps = testDeps();
    const options = testOptions({ RATE_LIMIT_REQUESTS: '2' });
    const gateway = createInMemoryGateway({
      parts: [rateLimit(options.rateLimit, deps), caching(options.caching, deps)],
    });
    gateways.push(gateway);
    const query = '{ product(id: "1") { id name } }';
    expect((await gateway.graphql(query)).headers.get('x-cache')).toBe('MISS');
    expect((await gateway.graphql(query)).headers.get('x-cache')).toBe('HIT');
    const refused = await gateway.graphql(query);
    expect(refused.status).toBe(429);
    expect(refused.data).toBeUndefined();
    expect(codesOf(refused)).toEqual(['RATE_LIMITED']);
  });

  test('RATE_LIMIT_OPERATIONS limits one operation by name and leaves the others alone', async () => {
    const { gateway } = limitedGateway({ RATE_LIMIT_OPERATIONS: 'Top=1/60s' });
    expect((await gateway.graphql('query Top { topReview { body } }')).status).toBe(200);
    const refused = await gateway.graphql('query Top { topReview { body } }');
    expect(refused.status).toBe(429);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'operation' });
    expect((await gateway.graphql('query Other { topReview { body } }')).status).toBe(200);
  });
});

describe('query cost', () => {
  test('a query estimated above MAX_QUERY_COST is refused with 400 QUERY_TOO_COMPLEX before any subgraph call', async () => {
    const { gateway, metrics } = limitedGateway({ MAX_QUERY_COST: '100', RATE_LIMIT_COST_BUDGET: '0' });
    const refused = await gateway.graphql(COST_101);
    expect(refused.status).toBe(400);
    expect(refused.data).toBeUndefined();
    expect(codesOf(refused)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(refused.errors![0]!.extensions!.cost).toEqual({ estimated: 101, max: 100 });
    expect(gateway.subgraph('products').calls).toHaveLength(0);
    expect(await metricValue(metrics, rejections, { reason: 'too_complex' })).toBe(1);

    const allowed = await gateway.graphql('{ products(first: 49) { id name } }');
    expect(allowed.status).toBe(200);
    expect(allowed.data.products).toHaveLength(3);
  });

  test('variables are priced as execution reads them: a variable default, the schema default, a value sent', async () => {
    const { gateway } = limitedGateway({ MAX_QUERY_COST: '100', RATE_LIMIT_COST_BUDGET: '0' });
    const query = 'query ($n: Int = 50) { products(first: $n) { id name } }';
    const byDefault = await gateway.graphql(query);
    expect(codesOf(byDefault)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(byDefault.errors![0]!.extensions!.cost.estimated).toBe(101);
    const sent = await gateway.graphql(query, { variables: { n: 2 } });
    expect(sent.errors).toBeUndefined();
    expect(sent.data.products).toHaveLength(2);
    // `products(first: Int = 10)` omitted: 1 + 10 x 2 = 21 against a maximum of 20.
    const { gateway: strict } = limitedGateway({ MAX_QUERY_COST: '20', RATE_LIMIT_COST_BUDGET: '0' });
    expect((await strict.graphql('{ products { id name } }')).errors![0]!.extensions!.cost).toEqual({
      estimated: 21,
      max: 20,
    });
  });

  test('each query spends its cost from RATE_LIMIT_COST_BUDGET; a spent budget is 429 with scope cost', async () => {
    const { gateway } = limitedGateway({ MAX_QUERY_COST: '150', RATE_LIMIT_COST_BUDGET: '250' });
    expect((await gateway.graphql(COST_101)).status).toBe(200);
    expect((await gateway.graphql(COST_101)).status).toBe(200);
    const refused = await gateway.graphql(COST_101);
    expect(refused.status).toBe(429);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'cost' });
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    // A cheaper query still fits what is left.
    expect((await gateway.graphql('{ products(first: 2) { id } }')).status).toBe(200);
  });
});

describe('field budgets', () => {
  test('a spent field budget answers partial data: that field null with RATE_LIMITED, the rest as usual, HTTP 200', async () => {
    const { gateway, metrics } = limitedGateway({ RATE_LIMIT_FIELDS: 'Query.topReview=1/60s' });
    const reviews = gateway.subgraph('reviews');
    const query = '{ product(id: "1") { name } topReview { body } }';
    const first = await gateway.graphql(query);
    expect(first.data).toEqual({ product: { name: 'Kettle' }, topReview: { body: 'Boils fast' } });
    expect(reviews.calls).toHaveLength(1);

    const second = await gateway.graphql(query);
    expect(second.status).toBe(200);
    expect(second.data).toEqual({ product: { name: 'Kettle' }, topReview: null });
    expect(second.errors).toHaveLength(1);
    expect(second.errors![0]).toMatchObject({
      path: ['topReview'],
      extensions: { code: 'RATE_LIMITED', scope: 'field' },
    });
    expect(second.headers.get('Retry-After')).toBeNull();
    // The refused field was cut from the operation: its subgraph was not asked.
    expect(reviews.calls).toHaveLength(1);
    expect(await metricValue(metrics, rejections, { reason: 'rate_limited', scope: 'field' })).toBe(1);
  });

  test('a refused mutation field does not run', async () => {
    const { gateway } = limitedGateway({ RATE_LIMIT_FIELDS: 'Mutation.renameProduct=1/60s' });
    const rename = (name: string) => gateway.graphql(`mutation { renameProduct(id: "1", name: "${name}") { name } }`);
    expect((await rename('First')).data).toEqual({ renameProduct: { name: 'First' } });
    const refused = await rename('Second');
    expect(refused.data).toEqual({ renameProduct: null });
    expect(codesOf(refused)).toEqual(['RATE_LIMITED']);
    expect((await gateway.graphql('{ product(id: "1") { name } }')).data).toEqual({ product: { name: 'First' } });
  });

  test('each selection of a limited field spends one unit: two aliases of a 1-unit field are both refused', async () => {
    const { gateway } = limitedGateway({ RATE_LIMIT_FIELDS: 'Query.topReview=1/60s' });
    const answer = await gateway.graphql('{ a: topReview { body } b: topReview { body } product(id: "2") { name } }');
    expect(answer.data).toEqual({ a: null, b: null, product: { name: 'Toaster' } });
    expect(answer.errors!.map((error) => error.path)).toEqual([['a'], ['b']]);
  });
});
