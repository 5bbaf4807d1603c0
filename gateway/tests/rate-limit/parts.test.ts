import { afterAll, describe, expect, test } from 'bun:test';
import { buildSchema, getOperationAST, parse, print } from 'graphql';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../../../tests/support/queues';
import { readGatewayEnv } from '../../config';
import { coercedVariables } from '../../operation/variables';
import { estimateQueryCost } from '../../rate-limit/cost';
import { costInputs, memoizedQueryCost } from '../../rate-limit/cost-memo';
import { createClientIdentifier } from '../../rate-limit/identity';
import { InMemoryStore } from '../../rate-limit/in-memory-store';
import { RedisStore } from '../../rate-limit/redis-store';
import { configIssues, uniqueRedisPrefix } from '../harness';

/** A production gateway refuses to start without a registry token and a signing secret. */
const PRODUCTION = {
  NODE_ENV: 'production',
  REGISTRY_TOKEN: 'registry-token',
  GATEWAY_HMAC_SECRET: 'a-test-secret-of-at-least-32-characters',
} as const;

/** The rate limiter's parts on their own: configuration, identity, cost, and both stores (real Redis). */

describe('configuration', () => {
  const issues = configIssues;

  test('defaults are on, generous and valid', () => {
    const { rateLimit } = readGatewayEnv({});
    expect(rateLimit).toMatchObject({
      enabled: true,
      requests: { limit: 6_000, windowMs: 60_000 },
      maxQueryCost: 10_000,
      redisDown: 'local',
      exempt: ['127.0.0.0/8', '::1'],
    });
    // Sign-in, registration and refresh have budgets per client by default; an empty value removes them.
    expect(Object.fromEntries(rateLimit.fields)).toEqual({
      'Mutation.login': { limit: 10, windowMs: 60_000 },
      'Mutation.register': { limit: 5, windowMs: 60_000 },
      'Mutation.refreshSession': { limit: 30, windowMs: 60_000 },
    });
    expect(readGatewayEnv({ RATE_LIMIT_FIELDS: '' }).rateLimit.fields.size).toBe(0);
  });

  test('loopback is exempt by default, except in production', () => {
    expect(readGatewayEnv({}).rateLimit.exempt).toEqual(['127.0.0.0/8', '::1']);
    expect(readGatewayEnv({ ...PRODUCTION }).rateLimit.exempt).toEqual([]);
    expect(readGatewayEnv({ ...PRODUCTION, RATE_LIMIT_EXEMPT_ADDRESSES: '10.0.0.0/8' }).rateLimit.exempt).toEqual([
      '10.0.0.0/8',
    ]);
    expect(readGatewayEnv({ RATE_LIMIT_EXEMPT_ADDRESSES: '' }).rateLimit.exempt).toEqual([]);
  });

  test('parses rules with their windows', () => {
    const { rateLimit } = readGatewayEnv({
      RATE_LIMIT_FIELDS: 'Mutation.login=5/60s, Mutation.register=3/1m',
      RATE_LIMIT_OPERATIONS: 'Search=100/2h',
    });
    expect([...rateLimit.fields]).toEqual([
      ['Mutation.login', { limit: 5, windowMs: 60_000 }],
      ['Mutation.register', { limit: 3, windowMs: 60_000 }],
    ]);
    expect(rateLimit.operations.get('Search')).toEqual({ limit: 100, windowMs: 7_200_000 });
  });

  test('a wrong value is reported with the variable it came from', () => {
    expect(issues({ RATE_LIMIT_FIELDS: 'Mutation.login=5' })[0]).toStartWith('RATE_LIMIT_FIELDS ("Mutation.login=5"):');
    expect(issues({ RATE_LIMIT_FIELDS: 'login=5/60s' })[0]).toContain('not a Type.field coordinate');
    expect(issues({ RATE_LIMIT_REDIS_DOWN: 'maybe' })[0]).toStartWith('RATE_LIMIT_REDIS_DOWN');
    expect(issues({ RATE_LIMIT_TRUSTED_PROXIES: '10.0.0.0/99' })[0]).toStartWith('RATE_LIMIT_TRUSTED_PROXIES');
    expect(issues({ RATE_LIMIT_EXEMPT_ADDRESSES: 'localhost' })[0]).toStartWith('RATE_LIMIT_EXEMPT_ADDRESSES');
    expect(issues({ RATE_LIMIT_REQUESTS: '-1' })[0]).toStartWith('RATE_LIMIT_REQUESTS');
    expect(issues({ MAX_QUERY_COST: '1000', RATE_LIMIT_COST_BUDGET: '999' })[0]).toStartWith('RATE_LIMIT_COST_BUDGET');
  });
});

describe('client identity', () => {
  const request = (forwardedFor?: string) =>
    new Request('http://gateway/graphql', { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });

  test('a verified user is charged by user id, wherever they connect from', () => {
    const identify = createClientIdentifier({ trustedProxies: [], exempt: ['127.0.0.0/8'] });
    expect(identify({ jwt: { payload: { sub: 'u-1' } }, remoteAddress: '198.51.100.1' }, request())).toBe('user:u-1');
    expect(identify({ jwt: { payload: { sub: 'u-1' } }, remoteAddress: '127.0.0.1' }, request())).toBe('user:u-1');
  });

  test('X-Forwarded-For counts only from trusted proxies, read from the right', () => {
    const identify = createClientIdentifier({ trustedProxies: ['10.0.0.0/8', '::1'], exempt: [] });
    // Behind two of our proxies; the client wrote a fake address of its own first.
    expect(identify({ remoteAddress: '10.0.0.5' }, request('1.2.3.4, 198.51.100.7, 10.0.0.9'))).toBe('ip:198.51.100.7');
    expect(identify({ remoteAddress: '::1' }, request('198.51.100.8'))).toBe('ip:198.51.100.8');
    expect(identify({ remoteAddress: '::ffff:10.0.0.5' }, request('198.51.100.9'))).toBe('ip:198.51.100.9');
    expect(identify({ remoteAddress: '10.0.0.5' }, request())).toBe('ip:10.0.0.5');
    // Straight from the internet: the header is the client's own claim.
    expect(identify({ remoteAddress: '203.0.113.3' }, request('198.51.100.7'))).toBe('ip:203.0.113.3');
    expect(identify({ req: { socket: { remoteAddress: '203.0.113.4' } } }, request())).toBe('ip:203.0.113.4');
  });

  test('anonymous clients at exempt addresses have no budget; one behind a trusted proxy does', () => {
    const forwarders: string[] = [];
    const identify = createClientIdentifier({
      trustedProxies: ['127.0.0.1'],
      exempt: ['127.0.0.0/8', '::1'],
      onUntrustedForwarder: (peer) => forwarders.push(peer),
    });
    expect(identify({ remoteAddress: '127.0.0.1' }, request())).toBeNull();
    expect(identify({ remoteAddress: '::1' }, request())).toBeNull();
    expect(identify({ remoteAddress: '127.0.0.1' }, request('198.51.100.7'))).toBe('ip:198.51.100.7');
    // A forwarding peer that is exempt but not trusted is worth a warning, once.
    expect(identify({ remoteAddress: '127.0.0.2' }, request('198.51.100.7'))).toBeNull();
    expect(identify({ remoteAddress: '127.0.0.2' }, request('198.51.100.8'))).toBeNull();
    expect(forwarders).toEqual(['127.0.0.2']);
  });

  test('an unknown peer address has no budget, and is reported once', () => {
    let reported = 0;
    const identify = createClientIdentifier({
      trustedProxies: ['0.0.0.0/0'],
      exempt: [],
      onUnknownAddress: () => reported++,
    });
    expect(identify({}, request('198.51.100.7'))).toBeNull();
    expect(identify({}, request())).toBeNull();
    expect(reported).toBe(1);
  });
});

describe('query cost', () => {
  const schema = buildSchema(`
    type Query { offers(first: Int = 20): OfferConnection! makes: [Make!]! make(id: ID!): Make people: [Person!]! node(id: ID!): Node }
    type OfferConnection { totalCount: Int! edges: [OfferEdge!]! }
    type OfferEdge { node: Offer! }
    type Offer implements Node { id: ID! photos(limit: Int): [Photo!]! }
    type Photo { url: String! }
    type Make implements Node { id: ID! models: [Model!]! }
    type Model { id: ID! }
    interface Node { id: ID! }
    type User { name: String! friends: [Person!]! }
    type Admin { name: String! scopes: [String!]! friends: [Person!]! }
    union Person = User | Admin
  `);
  const cost = (query: string, variables?: Record<string, unknown>, listSize?: number) => {
    const document = parse(query);
    const operation = getOperationAST(document)!;
    const coerced = coercedVariables(schema, operation, variables, {});
    if (!coerced) throw new Error('variables do not coerce');
    return estimateQueryCost(schema, document, operation, coerced, listSize);
  };

  test('counts each field once per item of the lists around it', () => {
    expect(cost('{ make(id: "1") { id } }')).toBe(2);
    // makes 1, 10 x (id, models), 10 x 10 ids
    expect(cost('{ makes { id models { id } } }')).toBe(1 + 20 + 100);
    expect(cost('{ makes { id models { id } } }', undefined, 2)).toBe(1 + 4 + 4);
  });

  test('sizes a connection by its first argument (the schema default when omitted, variables applied)', () => {
    // offers 1 + totalCount 1 + edges 1 + n x (node, id)
    expect(cost('query($n: Int) { offers(first: $n) { totalCount edges { node { id } } } }', { n: 50 })).toBe(3 + 100);
    expect(cost('{ offers { totalCount edges { node { id } } } }')).toBe(3 + 40);
    expect(cost('{ offers(first: 5) { edges { node { photos(limit: 3) { url } } } } }')).toBe(2 + 5 + 5 + 15);
  });

  test('follows fragments and leaves out what @skip/@include remove', () => {
    expect(cost('{ ...F } fragment F on Query { makes { ... on Make { id } } }')).toBe(11);
    expect(cost('query($s: Boolean!) { makes { id @skip(if: $s) } }', { s: true })).toBe(1);
    expect(cost('query($s: Boolean!) { makes { id @include(if: $s) } }', { s: true })).toBe(11);
  });

  test('reads variables as execution does: defaults apply to list sizes and @skip/@include', () => {
    const query = 'query($n: Int = 100) { offers(first: $n) { edges { node { id } } } }';
    expect(cost(query)).toBe(2 + 200);
    expect(cost(query, { n: 3 })).toBe(2 + 6);
    expect(cost('query($b: Boolean = false) { makes { id @include(if: $b) } }')).toBe(1);
    expect(cost('query($b: Boolean = true) { makes { id @skip(if: $b) } }')).toBe(1);
  });

  test('prices an abstract selection as its most expensive concrete type, not the sum of its conditions', () => {
    // people 1 + 10 x max(User: name, Admin: name + scopes); the sum of both would be 1 + 10 x 3
    expect(cost('{ people { ... on User { name } ... on Admin { name scopes } } }')).toBe(1 + 10 * 2);
    // Three nested lists of exclusive branches: each level is one type, never both.
    const person = (inner: string) =>
      `... on User { name friends { ${inner} } } ... on Admin { name scopes friends { ${inner} } }`;
    const nested = `{ people { ${person(person('... on User { name } ... on Admin { name }'))} } }`;
    // innermost item 1; middle Admin: name + scopes + friends (1 + 10 x 1) = 13; outer Admin: 3 + 10 x 13
    expect(cost(nested)).toBe(1 + 10 * (3 + 10 * 13));
    // Fields on the interface itself apply to every implementation; fragments only to theirs.
    expect(cost('{ node(id: "1") { id ... on Make { models { id } } ... on Offer { photos { url } } } }')).toBe(
      1 + 1 + 1 + 10,
    );
  });

  test('a fragment spread twice in one selection counts once, as execution collects it once', () => {
    expect(cost('{ makes { ...M ...M } } fragment M on Make { id }')).toBe(1 + 10);
  });
  test('remembered per document: priced again only when a variable that sizes or selects changes', () => {
    const memo = memoizedQueryCost(10);
    const query = parse(
      'query($n: Int, $b: Boolean!, $id: ID!) { offers(first: $n) { edges { node { id } } } make(id: $id) @include(if: $b) { id } }',
    );
    expect(costInputs(query)).toEqual(['b', 'n']);
    const operation = getOperationAST(query)!;
    const priced = (variables: Record<string, unknown>) =>
      memo(schema, query, operation, coercedVariables(schema, operation, variables, {})!);
    const direct = (variables: Record<string, unknown>) => cost(print(query), variables);
    for (const variables of [
      { n: 5, b: true, id: '1' },
      { n: 5, b: true, id: '2' }, // another id: the same cost, from the memo
      { n: 50, b: true, id: '2' },
      { n: 50, b: false, id: '2' },
      { n: 5, b: true, id: '3' },
    ])
      expect(priced(variables)).toBe(direct(variables));
    expect(priced({ n: 50, b: false, id: '9' })).toBe(2 + 100);
  });
});

describe('sliding window in memory', () => {
  test('the previous window counts in proportion to how much of it still overlaps', () => {
    let now = 1_000_000; // the start of a fixed window
    const store = new InMemoryStore(() => now);
    const charge = { key: 'k', limit: 10, windowMs: 1_000, cost: 1 };
    const allowed = () => store.consumeNow([charge]).every((decision) => decision.allowed);
    for (let i = 0; i < 10; i++) expect(allowed()).toBe(true);
    const [refused] = store.consumeNow([charge]);
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    // Ten in this window: one more fits once the next window is a tenth gone.
    expect(refused!.retryAfterMs).toBe(1_100);

    now += 1_500; // halfway into the next window: 10 x 0.5 still count
    let more = 0;
    while (allowed()) more++;
    expect(more).toBe(5);
    store.dispose();
  });

  test('required charges are recorded together or not at all; later ones on their own', () => {
    const store = new InMemoryStore(() => 0);
    const full = { key: 'full', limit: 1, windowMs: 60_000, cost: 1 };
    const room = { key: 'room', limit: 5, windowMs: 60_000, cost: 1 };
    store.consumeNow([full]);
    expect(store.consumeNow([room, full]).map((decision) => decision.allowed)).toEqual([true, false]);
    expect(store.consumeNow([room])[0]!.remaining).toBe(4); // the refused pair left `room` untouched
    // `full` optional beside a required `room`: room is recorded, full refused on its own.
    expect(store.consumeNow([room, full], 1).map((decision) => decision.allowed)).toEqual([true, false]);
    expect(store.consumeNow([room])[0]!.remaining).toBe(2);
    store.dispose();
  });
});

describe('Redis store', () => {
  const prefix = uniqueRedisPrefix('rl-store');
  const connections = [new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL)];

  afterAll(async () => {
    const keys = await connections[0]!.keys(`${prefix}*`);
    if (keys.length) await connections[0]!.del(...keys);
    await Promise.all(connections.map((connection) => connection.quit()));
  });

  test('concurrent charges over separate connections never exceed the limit', async () => {
    const stores = connections.map((connection) => new RedisStore(connection));
    const charge = { key: `${prefix}burst`, limit: 10, windowMs: 600_000, cost: 1 };
    const decisions = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 2]!.consume([charge])));
    expect(decisions.filter(([decision]) => decision!.allowed)).toHaveLength(10);
    expect(
      decisions
        .map(([decision]) => decision!.remaining)
        .sort((a, b) => a - b)
        .slice(-10),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('keeps the in-memory semantics: weighted cost, required together, optional on their own', async () => {
    const store = new RedisStore(connections[0]!);
    const cost = { key: `${prefix}cost`, limit: 250, windowMs: 600_000, cost: 152 };
    const field = { key: `${prefix}field`, limit: 1, windowMs: 600_000, cost: 1 };
    expect((await store.consume([cost, field], 1)).map((decision) => decision.allowed)).toEqual([true, true]);
    const [costAgain, fieldAgain] = await store.consume([cost, field], 1);
    expect(costAgain).toMatchObject({ allowed: false, remaining: 98 });
    expect(costAgain!.retryAfterMs).toBeGreaterThan(0);
    expect(fieldAgain!.allowed).toBe(false);
    expect((await store.consume([{ ...cost, cost: 98 }]))[0]).toMatchObject({ allowed: true, remaining: 0 });
  });
});
