import { afterAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../../../kit/config';
import { eventually, gql } from '../../../tests/support/graphql';
import { getSystem } from '../../../tests/support/system';
import { readGatewayEnv } from '../../config';
import {
  newUser,
  spawnTestGateway,
  startTestGateway,
  stopTestGateways,
  supergraphFile,
  testGatewayEnv,
  uniqueRedisPrefix,
} from '../harness';
import { gatewayCounter } from '../metrics';

afterAll(stopTestGateways);

interface Answer {
  status: number;
  cache: string | null;
  body: {
    data?: any;
    errors?: { message: string; extensions?: Record<string, any> }[];
    extensions?: Record<string, any>;
  };
}

/** One GraphQL request over HTTP: POST with a JSON body, or GET with the params in the URL. */
async function request(
  url: string,
  params: Record<string, unknown>,
  options: { token?: string; method?: 'GET' | 'POST' } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/graphql-response+json, application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  if (options.method === 'GET') {
    const search = new URLSearchParams(
      Object.entries(params).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
    );
    // A real client's GET carries a header a cross-site form cannot send (CSRF prevention).
    response = await fetch(`${url}/graphql?${search}`, { headers: { ...headers, 'x-graphql-csrf': '1' } });
  } else {
    response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
  }
  return {
    status: response.status,
    cache: response.headers.get('x-cache'),
    body: (await response.json()) as Answer['body'],
  };
}

/**
 * A gateway whose cache is connected: Redis connects in the background and, until it has, the
 * gateway serves uncached (by design). Tests that expect hits wait for a first one.
 */
async function cachingGateway<G extends { url: string }>(started: Promise<G>): Promise<G> {
  const gateway = await started;
  const probe = `{ connected${Math.random().toString(36).slice(2, 8)}: __typename }`;
  await eventually(async () => (await request(gateway.url, { query: probe })).cache === 'HIT', 10_000, 50);
  return gateway;
}

/** A TCP proxy to the local Redis that can stop forwarding: a Redis that is connected but silent. */
function pausableProxy(redisPort: number) {
  let paused = false;
  const upstreams = new Map<object, Promise<import('bun').Socket>>();
  const server = Bun.listen<undefined>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(client) {
        const forward = {
          data: (_upstream: unknown, data: Buffer) => void (paused || client.write(data)),
          close: () => void client.end(),
        };
        upstreams.set(client, Bun.connect({ hostname: '127.0.0.1', port: redisPort, socket: forward }));
      },
      async data(client, data) {
        if (!paused) (await upstreams.get(client))!.write(data);
      },
      async close(client) {
        (await upstreams.get(client))?.end();
        upstreams.delete(client);
      },
    },
  });
  return { url: `redis://127.0.0.1:${server.port}`, pause: () => void (paused = true), stop: () => server.stop(true) };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const MAKES = '{ makes { id name country } }';
const ME = '{ me { user { id } email } }';

describe('response cache', () => {
  test('answers a repeated query from the cache: MISS, then HIT with the same body', async () => {
    const gateway = await cachingGateway(startTestGateway());
    const hitsBefore = await gatewayCounter(gateway, 'autograph_gateway_response_cache_requests_total', {
      result: 'hit',
      path: 'standard',
    });
    const first = await request(gateway.url, { query: MAKES });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.makes.length).toBeGreaterThan(0);
    expect(first.cache).toBe('MISS');

    const second = await request(gateway.url, { query: MAKES });
    expect(second.cache).toBe('HIT');
    expect(second.body.data).toEqual(first.body.data);
    // The library's bookkeeping stays out of responses unless RESPONSE_CACHE_EXTENSION=on.
    expect(second.body.extensions?.responseCache).toBeUndefined();
    expect(
      await gatewayCounter(gateway, 'autograph_gateway_response_cache_requests_total', {
        result: 'hit',
        path: 'standard',
      }),
    ).toBeGreaterThan(hitsBefore);
  });

  test("is scoped per user: one user's `me` is never served to another, nor to anonymous callers", async () => {
    const gateway = await cachingGateway(startTestGateway());
    const [alice, bob] = await Promise.all([newUser('cache-alice'), newUser('cache-bob')]);

    const aliceFirst = await request(gateway.url, { query: ME }, { token: alice.token });
    const aliceAgain = await request(gateway.url, { query: ME }, { token: alice.token });
    expect(aliceFirst.body.data.me.user.id).toBe(alice.id);
    expect([aliceFirst.cache, aliceAgain.cache]).toEqual(['MISS', 'HIT']);
    expect(aliceAgain.body.data.me.user.id).toBe(alice.id);

    const bobFirst = await request(gateway.url, { query: ME }, { token: bob.token });
    expect(bobFirst.cache).toBe('MISS');
    expect(bobFirst.body.data.me).toEqual({ user: { id: bob.id }, email: bob.email });

    // Anonymous callers share one scope, where viewer fields are never stored.
    const anonymous = [await request(gateway.url, { query: ME }), await request(gateway.url, { query: ME })];
    expect(anonymous.map((answer) => answer.body.data.me)).toEqual([null, null]);
    expect(anonymous.map((answer) => answer.cache)).toEqual(['MISS', 'MISS']);
  });

  test('answers a persisted query by its hash alone, before any GraphQL processing, per user', async () => {
    const gateway = await cachingGateway(startTestGateway());
    const [alice, bob] = await Promise.all([newUser('hash-alice'), newUser('hash-bob')]);
    const query = 'query MyAccount { me { user { id } email } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    const earlyHits = () =>
      gatewayCounter(gateway, 'autograph_gateway_response_cache_requests_total', { result: 'hit', path: 'early' });

    // Apollo-style registration: text and hash together, cached under the text's hash.
    const registered = await request(
      gateway.url,
      { query, operationName: 'MyAccount', extensions },
      { token: alice.token },
    );
    expect(registered.cache).toBe('MISS');
    expect(registered.body.data.me.user.id).toBe(alice.id);

    // The gateway has no document for this hash: only the early path can answer it.
    const before = await earlyHits();
    for (const method of ['GET', 'POST'] as const) {
      const byHash = await request(
        gateway.url,
        { operationName: 'MyAccount', extensions },
        { token: alice.token, method },
      );
      expect(byHash.status).toBe(200);
      expect(byHash.cache).toBe('HIT');
      expect(byHash.body).toEqual({ data: registered.body.data });
    }
    expect(await earlyHits()).toBe(before + 2);

    // Another user's request for the same hash never reaches alice's entry.
    const bobByHash = await request(
      gateway.url,
      { operationName: 'MyAccount', extensions },
      { token: bob.token, method: 'GET' },
    );
    expect(bobByHash.cache).not.toBe('HIT');
    expect(JSON.stringify(bobByHash.body)).not.toContain(alice.id);
    expect(await earlyHits()).toBe(before + 2);
  });

  test('answers an anonymous persisted GET before the gateway runtime; tokens and CSRF-less GETs take the ordinary path', async () => {
    const gateway = await cachingGateway(startTestGateway());
    const query = `query FastMakes${Math.random().toString(36).slice(2, 8)} { makes { id name } }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    const hits = (path: string) =>
      gatewayCounter(gateway, 'autograph_gateway_response_cache_requests_total', { result: 'hit', path });
    const registered = await request(gateway.url, { query, extensions });
    expect(registered.cache).toBe('MISS');

    const fastBefore = await hits('fast');
    const fast = await request(gateway.url, { extensions }, { method: 'GET' });
    expect(fast).toEqual({ status: 200, cache: 'HIT', body: { data: registered.body.data } });
    expect(await hits('fast')).toBe(fastBefore + 1);

    // A signed-in caller has its own scope: the runtime verifies the token first; nothing is shared.
    const user = await newUser('fast-path');
    const signedIn = await request(gateway.url, { extensions }, { method: 'GET', token: user.token });
    expect(signedIn.cache).not.toBe('HIT');
    // Without a CSRF header the runtime answers (and refuses) as it always does.
    const bare = await fetch(
      `${gateway.url}/graphql?${new URLSearchParams({ extensions: JSON.stringify(extensions) })}`,
    );
    expect(bare.status).toBe(403);
    expect(await hits('fast')).toBe(fastBefore + 1);

    // An unknown hash misses here and goes on to the runtime, which (trusted documents off) has no document for it.
    const unknown = await request(
      gateway.url,
      { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ nothing }') } } },
      { method: 'GET' },
    );
    expect(unknown.cache).not.toBe('HIT');
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  test('with trusted documents on, a hash is resolved and executed once, then answered early', async () => {
    const system = await getSystem();
    const gateway = await startTestGateway({ TRUSTED_DOCUMENTS: 'enforce' });
    const document = `query TrustedMakes${Date.now().toString(36)} { makes { id name } }`;
    const hash = sha256(document);
    const published = await fetch(`${system.registryUrl}/v1/targets/main/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${system.registryToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client: 'caching-test', documents: [{ hash, document }] }),
    });
    expect(published.ok).toBe(true);
    // Anonymous GETs are answered on the fast path (before the runtime), POSTs on the early path.
    const earlyHits = async () =>
      (await gatewayCounter(gateway, 'autograph_gateway_response_cache_requests_total', {
        result: 'hit',
        path: 'early',
      })) +
      (await gatewayCounter(gateway, 'autograph_gateway_response_cache_requests_total', {
        result: 'hit',
        path: 'fast',
      }));

    // Both id conventions: Apollo's persisted-query hash and Hive's documentId.
    for (const params of [{ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, { documentId: hash }]) {
      const resolved = await request(gateway.url, params, { method: 'GET' });
      expect(resolved.body.errors).toBeUndefined();
      expect(resolved.cache).toBe('MISS');
      // (A gateway just started may still be connecting to Redis and serve a few more misses.)
      const before = await earlyHits();
      const early = await eventually(async () => {
        const answer = await request(gateway.url, params, { method: 'GET' });
        return answer.cache === 'HIT' && answer;
      });
      expect(early.body).toEqual({ data: resolved.body.data });
      expect(await earlyHits()).toBe(before + 1);
    }
  });

  test('a mutation through one replica evicts what another replica cached', async () => {
    const prefix = uniqueRedisPrefix('cache-invalidation');
    const [replicaA, replicaB] = await Promise.all([
      cachingGateway(spawnTestGateway({ REDIS_KEY_PREFIX: prefix })),
      cachingGateway(spawnTestGateway({ REDIS_KEY_PREFIX: prefix })),
    ]);
    const seller = await newUser('cache-seller');
    const catalog = await gql(replicaA.url, '{ makes { models { id } } }');
    const modelId = catalog.data.makes.flatMap((make: { models: { id: string }[] }) => make.models)[0].id;
    const created = await gql(
      replicaB.url,
      'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { id price } }',
      {
        input: { modelId, title: 'Cached hatchback', price: 1_000_000, year: 2019, mileageKm: 42_000, city: 'Berlin' },
      },
      { token: seller.token },
    );
    expect(created.errors).toBeUndefined();
    const offerId = created.data.createOffer.id;
    const OFFER = 'query Offer($id: ID!) { offer(id: $id) { id title price } }';

    const cold = await request(replicaA.url, { query: OFFER, variables: { id: offerId } });
    const l1Hits = () =>
      gatewayCounter(replicaA, 'autograph_gateway_response_cache_requests_total', { result: 'hit', level: 'l1' });
    const l1HitsBefore = await l1Hits();
    const warm = await request(replicaA.url, { query: OFFER, variables: { id: offerId } });
    expect([cold.cache, warm.cache]).toEqual(['MISS', 'HIT']);
    expect(warm.body.data.offer.price).toBe(1_000_000);
    // Replica A answered from its own memory (L1): only B's announcement can evict it there.
    expect(await l1Hits()).toBe(l1HitsBefore + 1);

    const updated = await gql(
      replicaB.url,
      'mutation ($id: ID!) { updateOfferPrice(id: $id, price: 900000) { id price } }',
      { id: offerId },
      { token: seller.token },
    );
    expect(updated.errors).toBeUndefined();

    // The mutation's answer waited for the eviction, so the very next read anywhere is fresh.
    const afterwards = await request(replicaA.url, { query: OFFER, variables: { id: offerId } });
    expect(afterwards.cache).toBe('MISS');
    expect(afterwards.body.data.offer.price).toBe(900_000);
  });

  test('ids the client never selected: the answer is exactly the uncached one, and a change to its type still evicts it', async () => {
    const gateway = await cachingGateway(startTestGateway());
    const seller = await newUser('cache-no-ids');
    const catalog = await gql(gateway.url, '{ makes { models { id } } }');
    const modelId = catalog.data.makes.flatMap((make: { models: { id: string }[] }) => make.models)[0].id;
    const created = await gql(
      gateway.url,
      'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { id } }',
      { input: { modelId, title: 'Idless sedan', price: 2_000_000, year: 2020, mileageKm: 10_000, city: 'Hamburg' } },
      { token: seller.token },
    );
    const offerId = created.data.createOffer.id;
    // No `id`, no `__typename` selected anywhere: the cache must add neither to the answer.
    const OFFER = 'query OfferNoIds($id: ID!) { offer(id: $id) { title price seller { name } } }';
    const cold = await request(gateway.url, { query: OFFER, variables: { id: offerId } });
    const warm = await request(gateway.url, { query: OFFER, variables: { id: offerId } });
    expect([cold.cache, warm.cache]).toEqual(['MISS', 'HIT']);
    expect(warm.body).toEqual(cold.body);
    expect(Object.keys(warm.body.data.offer).sort()).toEqual(['price', 'seller', 'title']);

    // The mutation's answer shows no id either: every cached answer holding an Offer is evicted.
    const updated = await gql(
      gateway.url,
      'mutation ($id: ID!) { updateOfferPrice(id: $id, price: 1500000) { price } }',
      { id: offerId },
      { token: seller.token },
    );
    expect(updated.errors).toBeUndefined();
    const afterwards = await request(gateway.url, { query: OFFER, variables: { id: offerId } });
    expect(afterwards.cache).toBe('MISS');
    expect(afterwards.body.data.offer.price).toBe(1_500_000);
  });

  test('serves uncached, without errors, while Redis is unreachable', async () => {
    const gateway = await startTestGateway({ REDIS_URL: 'redis://127.0.0.1:1' });
    const errorsBefore = await gatewayCounter(gateway, 'autograph_gateway_response_cache_store_errors_total');
    const answers = [await request(gateway.url, { query: MAKES }), await request(gateway.url, { query: MAKES })];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.makes.length).toBeGreaterThan(0);
      expect(answer.cache).toBe('MISS');
    }
    expect(await gatewayCounter(gateway, 'autograph_gateway_response_cache_store_errors_total')).toBeGreaterThan(
      errorsBefore,
    );
  });

  test('gives up on a Redis that stops answering and serves uncached', async () => {
    const proxy = pausableProxy(6379);
    try {
      const gateway = await cachingGateway(
        startTestGateway({ REDIS_URL: proxy.url, RESPONSE_CACHE_REDIS_TIMEOUT_MS: '200' }),
      );
      const answers = [await request(gateway.url, { query: MAKES }), await request(gateway.url, { query: MAKES })];
      expect(answers.map((answer) => answer.cache)).toEqual(['MISS', 'HIT']);
      proxy.pause();
      // A query not in this process's memory waits out one Redis timeout, which drops the
      // connection: from then on the process cache (L1) is empty and skipped too.
      const stalled = await request(gateway.url, { query: '{ makes { id } }' });
      expect(stalled.body.errors).toBeUndefined();
      expect(stalled.cache).toBe('MISS');
      const again = await request(gateway.url, { query: MAKES });
      expect(again.body.data).toEqual(answers[0]!.body.data);
      expect(again.cache).toBe('MISS');
    } finally {
      proxy.stop();
    }
  });

  test('keeps each response only as long as the shortest TTL of its types and fields', async () => {
    const gateway = await cachingGateway(
      startTestGateway({
        RESPONSE_CACHE_TTL_MS: '600000',
        RESPONSE_CACHE_TTL_PER_TYPE: 'Make=500',
        RESPONSE_CACHE_TTL_PER_FIELD: 'Query.makes=400',
        RESPONSE_CACHE_EXTENSION: 'on',
      }),
    );
    const makes = await request(gateway.url, { query: '{ makes { id name } }' });
    expect(makes.body.extensions?.responseCache).toEqual({ hit: false, didCache: true, ttl: 400 });
    const MAKE = 'query Make($id: ID!) { make(id: $id) { id name } }';
    const variables = { id: makes.body.data.makes[0].id };
    const make = await request(gateway.url, { query: MAKE, variables });
    expect(make.body.extensions?.responseCache).toEqual({ hit: false, didCache: true, ttl: 500 });
    const typename = await request(gateway.url, { query: '{ __typename }' });
    expect(typename.body.extensions?.responseCache).toEqual({ hit: false, didCache: true, ttl: 600_000 });

    // Expired entries are misses again (and are stored anew).
    await eventually(
      async () => (await request(gateway.url, { query: MAKE, variables })).cache === 'MISS',
      10_000,
      150,
    );
    expect((await request(gateway.url, { query: '{ __typename }' })).cache).toBe('HIT');
  });

  test('starts afresh with a new supergraph: no answer outlives the schema it was computed for', async () => {
    const file = await supergraphFile();
    const gateway = await cachingGateway(
      startTestGateway({ SUPERGRAPH_FILE: file, SUPERGRAPH_POLL_INTERVAL_MS: '500' }),
    );
    const DESCRIBE = '{ __type(name: "Make") { description } }';
    const answers = [await request(gateway.url, { query: DESCRIBE }), await request(gateway.url, { query: DESCRIBE })];
    expect(answers.map((answer) => answer.cache)).toEqual(['MISS', 'HIT']);
    expect(answers[1]!.body.data.__type.description).not.toBe('A car maker.');

    const sdl = readFileSync(file, 'utf8');
    expect(sdl).toMatch(/^type Make\b/m);
    writeFileSync(file, sdl.replace(/^type Make\b/m, '"A car maker."\ntype Make'));
    await eventually(
      async () => (await request(gateway.url, { query: DESCRIBE })).body.data?.__type?.description === 'A car maker.',
      15_000,
      200,
    );
  });

  test('works in memory, per process, when REDIS_URL is unset', async () => {
    const gateway = await startTestGateway({ REDIS_URL: undefined });
    const answers = [await request(gateway.url, { query: MAKES }), await request(gateway.url, { query: MAKES })];
    expect(answers.map((answer) => answer.cache)).toEqual(['MISS', 'HIT']);
    expect(answers[1]!.body).toEqual(answers[0]!.body);
  });

  test('RESPONSE_CACHE=off and QUERY_PLAN_CACHE=off switch the plugins off', async () => {
    const gateway = await startTestGateway({ RESPONSE_CACHE: 'off', QUERY_PLAN_CACHE: 'off' });
    const plansBefore = await gatewayCounter(gateway, 'autograph_gateway_query_plan_cache_requests_total');
    const answers = [await request(gateway.url, { query: MAKES }), await request(gateway.url, { query: MAKES })];
    expect(answers.map((answer) => answer.cache)).toEqual([null, null]);
    expect(answers[1]!.body.data).toEqual(answers[0]!.body.data);
    expect(await gatewayCounter(gateway, 'autograph_gateway_query_plan_cache_requests_total')).toBe(plansBefore);
  });

  test('rejects a malformed TTL list at start, naming the variable', async () => {
    const read = async (env: Record<string, string>) => readGatewayEnv(await testGatewayEnv(env));
    await expect(read({ RESPONSE_CACHE_TTL_PER_TYPE: 'Make=soon' })).rejects.toThrow(
      /RESPONSE_CACHE_TTL_PER_TYPE.*Type=milliseconds/,
    );
    await expect(read({ RESPONSE_CACHE_TTL_PER_FIELD: 'makes=100' })).rejects.toThrow(/RESPONSE_CACHE_TTL_PER_FIELD/);
    await expect(read({ RESPONSE_CACHE: 'maybe' })).rejects.toBeInstanceOf(ConfigError);
    expect(
      (await read({ RESPONSE_CACHE_TTL_PER_TYPE: 'Make=1000, Offer=20' })).caching.responseCache.ttlPerCoordinate,
    ).toMatchObject({ Make: 1000, Offer: 20 });
  });
});

describe('query plan cache', () => {
  const count = (gateway: { url: string }, result: string) =>
    gatewayCounter(gateway, 'autograph_gateway_query_plan_cache_requests_total', { result });
  // A document no gateway in this process planned before, touching a protected field (`me`).
  // (That the plan cache is bounded is tested in plugins.test.ts, with documents rewritten per request.)
  const freshQuery = (label: string) =>
    `{ ${label}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}: makes { id } me { email } }`;

  test('plans an operation once and serves it from the plan cache afterwards', async () => {
    // Without the response cache every request is planned and executed. Authorization rewrites
    // each request's document: the plan must be found all the same.
    const gateway = await startTestGateway({ RESPONSE_CACHE: 'off', AUTHORIZATION_DIRECTIVES: 'on' });
    const query = freshQuery('planned');
    const { token } = await newUser('planner');
    const [missesBefore, hitsBefore] = [await count(gateway, 'miss'), await count(gateway, 'hit')];
    for (let i = 0; i < 3; i++) expect((await request(gateway.url, { query }, { token })).body.errors).toBeUndefined();
    expect(await count(gateway, 'miss')).toBe(missesBefore + 1);
    expect(await count(gateway, 'hit')).toBe(hitsBefore + 2);
  });
});
