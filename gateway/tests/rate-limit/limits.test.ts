import { afterAll, describe, expect, test } from 'bun:test';
import { errorCodes, gql, type GraphQLResponse } from '../../../tests/support/graphql';
import { getSystem } from '../../../tests/support/system';
import { newUser, spawnTestGateway, startTestGateway, stopTestGateways, uniqueRedisPrefix } from '../harness';
import { gatewayCounter } from '../metrics';

/**
 * Rate limiting through real gateways (in this process, or two processes sharing one Redis) on
 * the shared whole system. Windows are ten minutes long so that no test straddles the end of one.
 */
const LONG_WINDOW = { RATE_LIMIT_WINDOW_MS: '600000' };
const MAKES = '{ makes { name } }';
const CLOSED_PORT_REDIS = 'redis://127.0.0.1:1';

afterAll(stopTestGateways);

const rateLimitHeaders = (response: GraphQLResponse) => ({
  limit: response.headers.get('ratelimit-limit'),
  remaining: response.headers.get('ratelimit-remaining'),
  reset: Number(response.headers.get('ratelimit-reset')),
});

async function firstOfferIds(url: string, count: number): Promise<string[]> {
  const response = await gql(url, `query($first: Int!) { offers(first: $first) { edges { node { id } } } }`, {
    first: count,
  });
  return response.data.offers.edges.map((edge: { node: { id: string } }) => edge.node.id);
}

describe('request budget per client', () => {
  test('allows RATE_LIMIT_REQUESTS per window, then refuses with 429, Retry-After, RATE_LIMITED and RateLimit headers', async () => {
    const gw = await startTestGateway({ ...LONG_WINDOW, RATE_LIMIT_REQUESTS: '3' });
    const { token } = await newUser('rl-budget');
    const before = await gatewayCounter(gw, 'autograph_gateway_rate_limit_rejections_total', {
      reason: 'rate_limited',
      scope: 'client',
    });

    const allowed = [];
    for (let i = 0; i < 3; i++) allowed.push(await gql(gw.url, MAKES, {}, { token }));
    expect(allowed.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(allowed.every((response) => response.data?.makes?.length > 0)).toBe(true);
    expect(allowed.map((response) => rateLimitHeaders(response).remaining)).toEqual(['2', '1', '0']);
    expect(rateLimitHeaders(allowed[0]!).limit).toBe('3');
    expect(rateLimitHeaders(allowed[0]!).reset).toBeGreaterThan(0);
    expect(rateLimitHeaders(allowed[0]!).reset).toBeLessThanOrEqual(600);

    const refused = await gql(gw.url, MAKES, {}, { token });
    expect(refused.status).toBe(429);
    expect(refused.data).toBeUndefined();
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    const retryAfter = refused.errors![0]!.extensions!.retryAfter;
    expect(retryAfter).toBeGreaterThan(0);
    expect(refused.headers.get('retry-after')).toBe(String(retryAfter));
    expect(rateLimitHeaders(refused)).toMatchObject({ limit: '3', remaining: '0' });
    expect(
      await gatewayCounter(gw, 'autograph_gateway_rate_limit_rejections_total', {
        reason: 'rate_limited',
        scope: 'client',
      }),
    ).toBe(before + 1);
  });

  test('gives every verified user a budget of their own; anonymous clients on loopback have none', async () => {
    const gw = await startTestGateway({ ...LONG_WINDOW, RATE_LIMIT_REQUESTS: '2' });
    const [alice, bob] = await Promise.all([newUser('rl-alice'), newUser('rl-bob')]);

    const three = async (token?: string) => {
      const responses = [];
      for (let i = 0; i < 3; i++) responses.push(await gql(gw.url, MAKES, {}, { token }));
      return responses;
    };
    expect((await three(alice.token)).map((response) => response.status)).toEqual([200, 200, 429]);
    expect((await three(bob.token)).map((response) => response.status)).toEqual([200, 200, 429]);
    const anonymous = await three(undefined);
    expect(anonymous.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(anonymous[2]!.headers.get('ratelimit-limit')).toBeNull();
  });

  test('limits one operation by name with RATE_LIMIT_OPERATIONS, leaving the others alone', async () => {
    const gw = await startTestGateway({ ...LONG_WINDOW, RATE_LIMIT_OPERATIONS: 'Listing=2/10m' });
    const { token } = await newUser('rl-operation');
    // Different variables each time: operation budgets are spent by executions, not cache hits.
    const listing = (first: number) =>
      gql(
        gw.url,
        `query Listing($first: Int!) { offers(first: $first) { edges { node { id } } } }`,
        { first },
        { token },
      );
    const named = [await listing(1), await listing(2), await listing(3)];
    expect(named.map((response) => response.status)).toEqual([200, 200, 429]);
    expect(named[2]!.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'operation' });
    expect(rateLimitHeaders(named[1]!)).toMatchObject({ limit: '2', remaining: '0' });

    const other = await gql(gw.url, `query Other ${MAKES}`, {}, { token });
    expect(other.status).toBe(200);
    expect(other.data.makes.length).toBeGreaterThan(0);
  });
});

describe('field budgets', () => {
  test('a spent field budget nulls that field with RATE_LIMITED and keeps the rest of the data', async () => {
    const gw = await startTestGateway({ ...LONG_WINDOW, RATE_LIMIT_FIELDS: 'Query.offer=2/10m' });
    const { token } = await newUser('rl-field');
    const ids = await firstOfferIds(gw.url, 3);
    const query = `query($id: ID!) { offer(id: $id) { id title } makes { name } }`;

    for (const id of ids.slice(0, 2)) {
      const allowed = await gql(gw.url, query, { id }, { token });
      expect(allowed.errors).toBeUndefined();
      expect(allowed.data.offer.id).toBe(id);
    }
    const partial = await gql(gw.url, query, { id: ids[2] }, { token });
    expect(partial.status).toBe(200);
    expect(partial.data.offer).toBeNull();
    expect(partial.data.makes.length).toBeGreaterThan(0);
    expect(partial.errors).toHaveLength(1);
    expect(partial.errors![0]).toMatchObject({ path: ['offer'], extensions: { code: 'RATE_LIMITED', scope: 'field' } });
    expect(partial.errors![0]!.extensions!.retryAfter).toBeGreaterThan(0);
  });

  test('a refused mutation does not run', async () => {
    const gw = await startTestGateway({ ...LONG_WINDOW, RATE_LIMIT_FIELDS: 'Mutation.register=1/10m' });
    // Signed in, so the budget is this user's (anonymous clients on loopback have none).
    const { token } = await newUser('rl-registrar');
    const register = (email: string) =>
      gql(
        gw.url,
        `mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`,
        {
          input: { email, password: 'correct horse battery staple', name: 'Limited', city: 'Berlin' },
        },
        { token },
      );
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const first = await register(`rl-first-${suffix}@test.autograph.dev`);
    expect(first.errors).toBeUndefined();
    expect(first.data.register.accessToken).toBeString();

    const secondEmail = `rl-second-${suffix}@test.autograph.dev`;
    const second = await register(secondEmail);
    expect(second.status).toBe(200);
    // register is non-null, so the refusal nulls `data` itself, as execution would.
    expect(second.data).toBeUndefined();
    expect(second.errors![0]).toMatchObject({
      path: ['register'],
      extensions: { code: 'RATE_LIMITED', scope: 'field' },
    });

    // The users subgraph never saw it: the address is still free.
    const system = await getSystem();
    const direct = await gql(
      system.subgraphUrls.users,
      `mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`,
      {
        input: { email: secondEmail, password: 'correct horse battery staple', name: 'Direct', city: 'Berlin' },
      },
    );
    expect(direct.errors).toBeUndefined();
  });
});

describe('query cost', () => {
  const OFFERS = `query($first: Int!) { offers(first: $first) { edges { node { id title } } } }`;

  test('refuses a single query above MAX_QUERY_COST with QUERY_TOO_COMPLEX and its estimate', async () => {
    const gw = await startTestGateway({ MAX_QUERY_COST: '200' });
    // offers 1 + edges 1 + 100 x (node, id, title)
    const expensive = await gql(gw.url, OFFERS, { first: 100 });
    expect(expensive.status).toBe(400);
    expect(errorCodes(expensive)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(expensive.errors![0]!.extensions!.cost).toEqual({ estimated: 302, max: 200 });

    const cheap = await gql(gw.url, OFFERS, { first: 2 });
    expect(cheap.errors).toBeUndefined();
    expect(cheap.data.offers.edges).toHaveLength(2);
  });

  test('charges each query its cost against RATE_LIMIT_COST_BUDGET', async () => {
    const gw = await startTestGateway({ ...LONG_WINDOW, MAX_QUERY_COST: '200', RATE_LIMIT_COST_BUDGET: '250' });
    const { token } = await newUser('rl-cost');
    // 152 each: the first fits, the second would bring the window to 304.
    const first = await gql(gw.url, OFFERS, { first: 50 }, { token });
    expect(first.status).toBe(200);
    expect(first.data.offers.edges.length).toBeGreaterThan(0);
    const second = await gql(gw.url, OFFERS, { first: 49 }, { token });
    expect(second.status).toBe(429);
    expect(second.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'cost' });
    expect(rateLimitHeaders(second)).toMatchObject({ limit: '250', remaining: '98' });
    // A cheap one still fits what is left.
    const cheap = await gql(gw.url, OFFERS, { first: 2 }, { token });
    expect(cheap.status).toBe(200);
  });
});

describe('shared across replicas', () => {
  test('two gateway processes on one Redis allow exactly N of a concurrent burst, not 2N', async () => {
    const env = { ...LONG_WINDOW, RATE_LIMIT_REQUESTS: '10', REDIS_KEY_PREFIX: uniqueRedisPrefix('rl-two') };
    const [one, two] = await Promise.all([spawnTestGateway(env), spawnTestGateway(env)]);
    const { token } = await newUser('rl-replicas');
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => gql(i % 2 ? one.url : two.url, MAKES, {}, { token })),
    );
    const statuses = burst.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30);
    // Both replicas refused, so neither counted on its own.
    expect(burst.filter((response, i) => response.status === 429 && i % 2 === 1).length).toBeGreaterThan(0);
    expect(burst.filter((response, i) => response.status === 429 && i % 2 === 0).length).toBeGreaterThan(0);
  }, 90_000);
});

describe('Redis down', () => {
  const statuses = async (url: string, count: number, token: string) => {
    const result = [];
    for (let i = 0; i < count; i++) result.push((await gql(url, MAKES, {}, { token })).status);
    return result;
  };

  test('RATE_LIMIT_REDIS_DOWN=local limits each process on its own and counts the fallback', async () => {
    const gw = await startTestGateway({
      ...LONG_WINDOW,
      REDIS_URL: CLOSED_PORT_REDIS,
      RATE_LIMIT_REDIS_DOWN: 'local',
      RATE_LIMIT_REQUESTS: '3',
    });
    const { token } = await newUser('rl-down-local');
    const before = await gatewayCounter(gw, 'autograph_gateway_rate_limit_redis_fallback_total', { policy: 'local' });
    expect(await statuses(gw.url, 4, token)).toEqual([200, 200, 200, 429]);
    expect(
      await gatewayCounter(gw, 'autograph_gateway_rate_limit_redis_fallback_total', { policy: 'local' }),
    ).toBeGreaterThanOrEqual(before + 4);
  });

  test('RATE_LIMIT_REDIS_DOWN=closed refuses with 503 and RATE_LIMIT_UNAVAILABLE', async () => {
    const gw = await startTestGateway({ REDIS_URL: CLOSED_PORT_REDIS, RATE_LIMIT_REDIS_DOWN: 'closed' });
    const { token } = await newUser('rl-down-closed');
    const refused = await gql(gw.url, MAKES, {}, { token });
    expect(refused.status).toBe(503);
    expect(errorCodes(refused)).toEqual(['RATE_LIMIT_UNAVAILABLE']);
    expect(refused.headers.get('retry-after')).toBe('1');
  });

  test('RATE_LIMIT_REDIS_DOWN=open lets everything through', async () => {
    const gw = await startTestGateway({
      REDIS_URL: CLOSED_PORT_REDIS,
      RATE_LIMIT_REDIS_DOWN: 'open',
      RATE_LIMIT_REQUESTS: '1',
    });
    const { token } = await newUser('rl-down-open');
    expect(await statuses(gw.url, 3, token)).toEqual([200, 200, 200]);
  });
});

describe('switched off', () => {
  test('RATE_LIMIT=off applies no budget, no maximum cost and sends no RateLimit headers', async () => {
    const gw = await startTestGateway({
      RATE_LIMIT: 'off',
      RATE_LIMIT_REQUESTS: '1',
      MAX_QUERY_COST: '5',
      RATE_LIMIT_COST_BUDGET: '5',
    });
    const { token } = await newUser('rl-off');
    const responses = [];
    for (let i = 0; i < 3; i++)
      responses.push(await gql(gw.url, `{ offers(first: 20) { edges { node { id } } } }`, {}, { token }));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(responses.every((response) => response.data.offers.edges.length > 0)).toBe(true);
    expect(responses[0]!.headers.get('ratelimit-limit')).toBeNull();
  });
});
