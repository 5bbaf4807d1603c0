import { afterEach, describe, expect, test } from 'bun:test';
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { visit } from 'graphql';
import { caching } from '../../caching';
import { usePlanCache } from '../../caching/use-plan-cache';
import {
  codesOf,
  createInMemoryGateway,
  metricValue,
  readAnswer,
  testDeps,
  testOptions,
  type InMemoryGateway,
} from '../in-memory';

/**
 * The caching concern's plugins on an in-memory gateway (gateway/tests/in-memory.ts): the
 * response cache in this process's memory (no REDIS_URL, gateway/caching/store.ts) as the
 * concern's index wires it, and the plan cache alone.
 */

const gateways: InMemoryGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.dispose()));
});

function cachingGateway(env: Record<string, string> = {}) {
  const deps = testDeps();
  const gateway = createInMemoryGateway({ parts: [caching(testOptions(env).caching, deps)] });
  gateways.push(gateway);
  return { gateway, metrics: deps.metrics, products: gateway.subgraph('products') };
}

const PRODUCT = '{ product(id: "1") { id name price reviews { id body } } }';

describe('useResponseCache (in memory)', () => {
  test('a repeated query: MISS, then HIT with the identical body and no subgraph call', async () => {
    const { gateway, metrics, products } = cachingGateway();
    const first = await gateway.graphql(PRODUCT);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.data).toEqual({
      product: { id: '1', name: 'Kettle', price: 30, reviews: [{ id: 'r1', body: 'Boils fast' }] },
    });
    const callsAfterMiss = products.calls.length;

    const second = await gateway.graphql(PRODUCT);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(products.calls.length).toBe(callsAfterMiss);
    expect(
      await metricValue(metrics, 'autograph_gateway_response_cache_requests_total', {
        result: 'miss',
        path: 'standard',
      }),
    ).toBe(1);
    expect(
      await metricValue(metrics, 'autograph_gateway_response_cache_requests_total', {
        result: 'hit',
        path: 'standard',
      }),
    ).toBe(1);
  });

  test('different variables are different entries', async () => {
    const { gateway } = cachingGateway();
    const query = 'query ($id: ID!) { product(id: $id) { id name } }';
    expect((await gateway.graphql(query, { variables: { id: '1' } })).headers.get('x-cache')).toBe('MISS');
    const other = await gateway.graphql(query, { variables: { id: '2' } });
    expect(other.headers.get('x-cache')).toBe('MISS');
    expect(other.data).toEqual({ product: { id: '2', name: 'Toaster' } });
  });

  test('a mutation evicts the responses holding the entity it returns, and only those', async () => {
    const { gateway, metrics } = cachingGateway();
    await gateway.graphql(PRODUCT);
    expect((await gateway.graphql(PRODUCT)).headers.get('x-cache')).toBe('HIT');
    const other = '{ product(id: "2") { id name } }';
    await gateway.graphql(other);

    const renamed = await gateway.graphql('mutation { renameProduct(id: "1", name: "Steel kettle") { id name } }');
    expect(renamed.errors).toBeUndefined();
    expect(renamed.data).toEqual({ renameProduct: { id: '1', name: 'Steel kettle' } });

    const after = await gateway.graphql(PRODUCT);
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.data.product.name).toBe('Steel kettle');
    // Product:2 was not touched: still cached.
    expect((await gateway.graphql(other)).headers.get('x-cache')).toBe('HIT');
    expect(await metricValue(metrics, 'autograph_gateway_response_cache_invalidated_entities_total')).toBe(1);
  });

  test('a query without `id` is answered exactly as uncached (nothing added to it or to the answer), and any change to its type evicts it', async () => {
    const plain = createInMemoryGateway();
    gateways.push(plain);
    const { gateway, products } = cachingGateway();
    const query = '{ product(id: "1") { name price } }';
    const uncached = await plain.graphql(query);
    const miss = await gateway.graphql(query);
    expect(miss.text).toBe(uncached.text);
    expect(miss.text).toBe('{"data":{"product":{"name":"Kettle","price":30}}}');
    // The subgraph got the client's selections: no `id` or `__typename` added for the cache.
    expect(products.calls.at(-1)!.query).toBe('{product(id: "1"){name price}}');
    const hit = await gateway.graphql(query);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.text).toBe(uncached.text);

    // The cache cannot tell which Product it holds: renaming any product evicts it.
    await gateway.graphql('mutation { renameProduct(id: "2", name: "Grill") { id } }');
    expect((await gateway.graphql(query)).headers.get('x-cache')).toBe('MISS');
  });

  test('responses with errors are not cached', async () => {
    const { gateway, products } = cachingGateway();
    const query = '{ coded product(id: "1") { id name } }';
    const first = await gateway.graphql(query);
    expect(codesOf(first)).toEqual(['NOT_FOUND']);
    expect(first.data).toEqual({ coded: null, product: { id: '1', name: 'Kettle' } });
    const second = await gateway.graphql(query);
    expect(second.headers.get('x-cache')).toBe('MISS');
    expect(codesOf(second)).toEqual(['NOT_FOUND']);
    expect(products.calls.length).toBe(2);
  });

  test('a failed subgraph call is not cached either', async () => {
    const { gateway, products } = cachingGateway();
    products.intercept = () => new Response('<html>502</html>', { status: 502 });
    const failed = await gateway.graphql(PRODUCT);
    expect(failed.errors?.length).toBeGreaterThan(0);
    products.intercept = null;
    const healed = await gateway.graphql(PRODUCT);
    expect(healed.headers.get('x-cache')).toBe('MISS');
    expect(healed.errors).toBeUndefined();
    expect(healed.data.product.name).toBe('Kettle');
  });

  test('a response lives as long as the shortest TTL of its types (RESPONSE_CACHE_TTL_PER_TYPE)', async () => {
    const { gateway } = cachingGateway({ RESPONSE_CACHE_TTL_PER_TYPE: 'Review=300' });
    const reviewed = '{ topReview { id body } }';
    const plain = '{ product(id: "3") { id name } }';
    await gateway.graphql(reviewed);
    await gateway.graphql(plain);
    expect((await gateway.graphql(reviewed)).headers.get('x-cache')).toBe('HIT');
    await Bun.sleep(350);
    expect((await gateway.graphql(reviewed)).headers.get('x-cache')).toBe('MISS');
    // Without a Review in it, the default TTL (30 s) applies.
    expect((await gateway.graphql(plain)).headers.get('x-cache')).toBe('HIT');
  });

  test('a request with a token that nothing verified is never cached, nor answered from the cache', async () => {
    const { gateway, products } = cachingGateway();
    await gateway.graphql(PRODUCT);
    const withToken = await gateway.graphql(PRODUCT, { headers: { authorization: 'Bearer unverified' } });
    expect(withToken.headers.get('x-cache')).toBeNull();
    expect(withToken.data.product.name).toBe('Kettle');
    const calls = products.calls.length;
    await gateway.graphql(PRODUCT, { headers: { authorization: 'Bearer unverified' } });
    expect(products.calls.length).toBeGreaterThan(calls);
  });

  test('a query cached from its text is answered by its SHA-256 alone: early for a POST, before the runtime for an anonymous GET (304 on its ETag)', async () => {
    const { gateway, metrics, products } = cachingGateway();
    const query = '{ product(id: "2") { id name } }';
    const hash = new Bun.CryptoHasher('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
    const miss = await gateway.graphql(query);
    const calls = products.calls.length;

    const early = await readAnswer(
      await gateway.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        body: JSON.stringify({ extensions }),
      }),
    );
    expect(early.headers.get('x-cache')).toBe('HIT');
    expect(early.text).toBe(miss.text);
    expect(
      await metricValue(metrics, 'autograph_gateway_response_cache_requests_total', { result: 'hit', path: 'early' }),
    ).toBe(1);

    const url = `/graphql?extensions=${encodeURIComponent(JSON.stringify(extensions))}`;
    const headers = { accept: 'application/graphql-response+json', 'x-graphql-csrf': '1' };
    const fast = await gateway.fetch(url, { headers });
    expect(fast.status).toBe(200);
    expect(fast.headers.get('x-cache')).toBe('HIT');
    expect(await fast.text()).toBe(miss.text);
    expect(
      await metricValue(metrics, 'autograph_gateway_response_cache_requests_total', { result: 'hit', path: 'fast' }),
    ).toBe(1);
    const etag = fast.headers.get('etag');
    expect(etag).toBeTruthy();
    expect((await gateway.fetch(url, { headers: { ...headers, 'if-none-match': etag! } })).status).toBe(304);
    expect(products.calls.length).toBe(calls);

    // A change to the entity evicts it for every path.
    await gateway.graphql('mutation { renameProduct(id: "2", name: "Grill") { id } }');
    expect((await gateway.graphql(query)).data.product.name).toBe('Grill');
  });

  test('RESPONSE_CACHE=off: every request reaches the subgraph, no x-cache header', async () => {
    const { gateway, products } = cachingGateway({ RESPONSE_CACHE: 'off' });
    await gateway.graphql(PRODUCT);
    const second = await gateway.graphql(PRODUCT);
    expect(second.headers.get('x-cache')).toBeNull();
    expect(products.calls.filter((call) => call.query.includes('product(')).length).toBe(2);
  });
});

describe('usePlanCache', () => {
  const planCounter = 'autograph_gateway_query_plan_cache_requests_total';

  function planGateway(plugins: GatewayPlugin[], maxDocuments?: number) {
    const deps = testDeps();
    const gateway = createInMemoryGateway({
      plugins: () => [...plugins, usePlanCache({ metrics: deps.metrics, ...(maxDocuments ? { maxDocuments } : {}) })],
    });
    gateways.push(gateway);
    return { gateway, metrics: deps.metrics };
  }

  test('the first execution of an operation is planned (miss), the next ones reuse the plan (hit)', async () => {
    const { gateway, metrics } = planGateway([]);
    const query = 'query ($id: ID!) { product(id: $id) { name reviews { body } } }';
    expect((await gateway.graphql(query, { variables: { id: '1' } })).data.product.name).toBe('Kettle');
    expect(await metricValue(metrics, planCounter, { result: 'miss' })).toBe(1);
    expect(await metricValue(metrics, planCounter, { result: 'hit' })).toBe(0);

    expect((await gateway.graphql(query, { variables: { id: '2' } })).data.product.name).toBe('Toaster');
    expect((await gateway.graphql(query, { variables: { id: '3' } })).data.product.name).toBe('Blender');
    expect(await metricValue(metrics, planCounter, { result: 'miss' })).toBe(1);
    expect(await metricValue(metrics, planCounter, { result: 'hit' })).toBe(2);

    await gateway.graphql('{ topReview { body } }');
    expect(await metricValue(metrics, planCounter, { result: 'miss' })).toBe(2);
  });

  test('an operation rewritten into a fresh document on every request (as a rewriting plugin may) still hits', async () => {
    // A copy of the document per request, like a plugin that removes fields would make.
    const rewrite: GatewayPlugin = {
      onExecute({ args }) {
        args.document = visit(args.document, { Field: (node) => ({ ...node }) });
      },
    };
    const { gateway, metrics } = planGateway([rewrite]);
    for (let i = 0; i < 3; i++)
      expect((await gateway.graphql('{ product(id: "1") { name } }')).data).toEqual({ product: { name: 'Kettle' } });
    expect(await metricValue(metrics, planCounter, { result: 'miss' })).toBe(1);
    expect(await metricValue(metrics, planCounter, { result: 'hit' })).toBe(2);
  });

  test('keeps no more plans than its size: an operation pushed out is planned again', async () => {
    // Fresh documents per request, so only the plan cache can make a hit.
    const rewrite: GatewayPlugin = {
      onExecute({ args }) {
        args.document = visit(args.document, { Field: (node) => ({ ...node }) });
      },
    };
    const { gateway, metrics } = planGateway([rewrite], 1);
    for (const query of ['{ product(id: "1") { name } }', '{ topReview { body } }', '{ product(id: "1") { name } }']) {
      expect((await gateway.graphql(query)).errors).toBeUndefined();
    }
    expect(await metricValue(metrics, planCounter, { result: 'miss' })).toBe(3);
  });

  test('introspection is not planned and not counted', async () => {
    const { gateway, metrics } = planGateway([]);
    expect((await gateway.graphql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    expect(await metricValue(metrics, planCounter)).toBe(0);
  });
});
