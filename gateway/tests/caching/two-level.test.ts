import { afterAll, afterEach, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { FAIL_FAST, redisOptions } from '../../../kit/redis';
import { eventually } from '../../../tests/support/graphql';
import { TEST_REDIS_URL } from '../../../tests/support/queues';
import { caching } from '../../caching';
import { uniqueRedisPrefix } from '../harness';
import { configIssues } from '../harness';
import {
  createInMemoryGateway,
  metricValue,
  shopSubgraphs,
  testDeps,
  testOptions,
  type InMemoryGateway,
  type SubgraphDefinition,
} from '../in-memory';

/**
 * The two-level response cache: replicas (in-memory gateways over the same in-memory subgraphs,
 * so a change through one is seen by the other's subgraph calls) sharing the real Redis under a
 * key prefix of their own, each with its own process cache (L1) in front of it.
 */

const REQUESTS = 'autograph_gateway_response_cache_requests_total';
const PRODUCT = '{ product(id: "1") { id name } }';
const opened: { gateway: InMemoryGateway; redis: Redis }[] = [];
const prefixes: string[] = [];

afterEach(async () => {
  for (const { gateway, redis } of opened.splice(0)) {
    await gateway.dispose();
    await redis.quit().catch(() => redis.disconnect());
  }
});

afterAll(() =>
  withAdmin(async (redis) => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    }
  }),
);

/**
 * One gateway replica on the shared Redis. Its connection is named, so a test can find its
 * subscriber (`CLIENT LIST`), and counts the commands it sends.
 */
async function replica(subgraphs: SubgraphDefinition[], prefix: string, env: Record<string, string> = {}) {
  const connectionName = `autograph-test-${Math.random().toString(36).slice(2, 10)}`;
  const redis = new Redis(
    redisOptions({ url: TEST_REDIS_URL }, { ...FAIL_FAST, enableAutoPipelining: true, connectionName }),
  );
  redis.on('error', () => {});
  let commands = 0;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<typeof send>) => {
    commands++;
    return send(...args);
  }) as typeof redis.sendCommand;
  const deps = testDeps({ redis, redisKeyPrefix: prefix });
  const part = caching(testOptions(env).caching, deps);
  const gateway = createInMemoryGateway({ subgraphs, parts: [part] });
  opened.push({ gateway, redis });
  const metric = (name: string, labels: Record<string, string> = {}) => metricValue(deps.metrics, name, labels);
  const l1InUse = () => metric('autograph_gateway_response_cache_l1_in_use');
  const registered = (name: string) => deps.metrics.registry.getSingleMetric(name) !== undefined;
  if (env.RESPONSE_CACHE_L1_TTL_MS !== '0') await eventually(async () => (await l1InUse()) === 1, 5_000, 20);
  else await eventually(async () => redis.status === 'ready', 5_000, 20);
  return {
    gateway,
    part,
    redis,
    connectionName,
    commands: () => commands,
    metric,
    registered,
    l1InUse,
    /** Hits of a level on a path (fast, early, standard). */
    hits: (level: 'l1' | 'l2', path = 'standard') => metric(REQUESTS, { result: 'hit', path, level }),
    /** One query: its x-cache header and data. */
    async read(query = PRODUCT) {
      const answer = await gateway.graphql(query);
      return { cache: answer.headers.get('x-cache'), data: answer.data };
    },
  };
}

async function withAdmin<T>(use: (admin: Redis) => Promise<T>): Promise<T> {
  const admin = new Redis(TEST_REDIS_URL);
  try {
    return await use(admin);
  } finally {
    await admin.quit();
  }
}

/** The id of the subscribed connection named so, if there is one. */
async function pubsubConnectionId(name: string): Promise<string | undefined> {
  const list = await withAdmin((admin) => admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
  return String(list)
    .split('\n')
    .find((line) => line.includes(`name=${name} `))
    ?.match(/\bid=(\d+)/)?.[1];
}

function newPrefix(label: string) {
  const prefix = uniqueRedisPrefix(label);
  prefixes.push(prefix);
  return prefix;
}

/** Generous for a pub/sub message on loopback, also on a busy machine. */
const ARRIVAL_MS = 300;

describe('two-level response cache (L1 in each replica, L2 in Redis)', () => {
  test('a mutation through replica B: replica A drops its copy in memory as the eviction arrives, and reads the change', async () => {
    const subgraphs = shopSubgraphs();
    const prefix = newPrefix('l1-coherence');
    const [a, b] = [await replica(subgraphs, prefix), await replica(subgraphs, prefix)];

    expect(await a.read()).toEqual({ cache: 'MISS', data: { product: { id: '1', name: 'Kettle' } } });
    expect((await a.read()).cache).toBe('HIT');
    expect(await a.hits('l1')).toBe(1);
    // B finds A's answer in Redis and keeps a copy too.
    expect((await b.read()).cache).toBe('HIT');
    expect(await b.hits('l2')).toBe(1);
    expect((await b.read()).cache).toBe('HIT');
    expect(await b.hits('l1')).toBe(1);

    const renamed = await b.gateway.graphql('mutation { renameProduct(id: "1", name: "Steel kettle") { id name } }');
    expect(renamed.errors).toBeUndefined();
    // B answered only after evicting its L1 and Redis and publishing the eviction; A applies it as the
    // message arrives on its subscriber socket (the documented window: until A's event loop reads it).
    await Bun.sleep(ARRIVAL_MS);
    expect(await a.read()).toEqual({ cache: 'MISS', data: { product: { id: '1', name: 'Steel kettle' } } });
    expect(await a.hits('l1')).toBe(1);
    expect(await b.read()).toEqual({ cache: 'HIT', data: { product: { id: '1', name: 'Steel kettle' } } });
    // Another product's answers were not touched.
    const other = '{ product(id: "2") { id name } }';
    await a.read(other);
    await b.gateway.graphql('mutation { renameProduct(id: "1", name: "Copper kettle") { id } }');
    expect((await a.read(other)).cache).toBe('HIT');
    expect(await a.hits('l1')).toBe(2);
  });

  test('the fast path answers a persisted GET from L1 synchronously, without a single Redis command', async () => {
    const prefix = newPrefix('l1-fast-path');
    const a = await replica(shopSubgraphs(), prefix);
    const query = 'query HotProduct { product(id: "3") { id name price } }';
    const hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
    expect((await a.read(query)).cache).toBe('MISS');
    const url = `/graphql?${new URLSearchParams({ extensions: JSON.stringify(extensions) })}`;
    const headers = { accept: 'application/json', 'x-graphql-csrf': '1' };
    // The first GET computes its key (once per distinct request).
    expect((await a.gateway.fetch(url, { headers })).headers.get('x-cache')).toBe('HIT');

    const before = a.commands();
    for (let i = 0; i < 50; i++) {
      const answer = a.part.fastPath!(new Request(`http://gateway.test${url}`, { headers }));
      expect(answer).toBeInstanceOf(Response);
      expect(await (answer as Response).json()).toEqual({ data: { product: { id: '3', name: 'Blender', price: 80 } } });
    }
    expect(a.commands()).toBe(before);
    expect(await a.hits('l1', 'fast')).toBe(51);
    expect(await a.hits('l2', 'fast')).toBe(0);
  });

  test('L1 is bounded by entries and by bytes; what it dropped is still found in Redis', async () => {
    const byEntries = await replica(shopSubgraphs(), newPrefix('l1-bounded'), { RESPONSE_CACHE_L1_MAX_ENTRIES: '2' });
    for (const id of ['1', '2', '3']) await byEntries.read(`{ product(id: "${id}") { id name } }`);
    expect(await byEntries.metric('autograph_gateway_response_cache_l1_entries')).toBe(2);
    // The least recently used (product 1) left L1 only.
    expect((await byEntries.read('{ product(id: "1") { id name } }')).cache).toBe('HIT');
    expect(await byEntries.hits('l2')).toBe(1);
    expect(await byEntries.hits('l1')).toBe(0);

    const byBytes = await replica(shopSubgraphs(), newPrefix('l1-bytes'), { RESPONSE_CACHE_L1_MAX_BYTES: '1500' });
    for (const id of ['1', '2', '3']) await byBytes.read(`{ product(id: "${id}") { id name price } }`);
    const bytes = await byBytes.metric('autograph_gateway_response_cache_l1_bytes');
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(1500);
    expect(await byBytes.metric('autograph_gateway_response_cache_l1_entries')).toBeLessThan(3);
  });

  test('RESPONSE_CACHE_L1_TTL_MS=0 switches L1 off: every hit comes from Redis', async () => {
    const gateway = await replica(shopSubgraphs(), newPrefix('l1-off'), { RESPONSE_CACHE_L1_TTL_MS: '0' });
    expect((await gateway.read()).cache).toBe('MISS');
    expect((await gateway.read()).cache).toBe('HIT');
    expect((await gateway.read()).cache).toBe('HIT');
    expect(await gateway.hits('l2')).toBe(2);
    expect(await gateway.hits('l1')).toBe(0);
    // Not built at all: no process cache, no subscriber.
    expect(gateway.registered('autograph_gateway_response_cache_l1_entries')).toBe(false);
    expect(await pubsubConnectionId(gateway.connectionName)).toBeUndefined();
  });

  test('a copy lives no longer than the L1 TTL, then comes from Redis again', async () => {
    const gateway = await replica(shopSubgraphs(), newPrefix('l1-ttl'), { RESPONSE_CACHE_L1_TTL_MS: '150' });
    await gateway.read();
    expect((await gateway.read()).cache).toBe('HIT');
    expect(await gateway.hits('l1')).toBe(1);
    await Bun.sleep(250);
    expect((await gateway.read()).cache).toBe('HIT');
    expect(await gateway.hits('l2')).toBe(1);
    // The copy taken from Redis lives no longer either (the response itself has 30 s left there).
    expect((await gateway.read()).cache).toBe('HIT');
    expect(await gateway.hits('l1')).toBe(2);
    await Bun.sleep(250);
    expect((await gateway.read()).cache).toBe('HIT');
    expect(await gateway.hits('l2')).toBe(2);
  });

  test('while the subscriber is disconnected, L1 is empty and skipped; it is used again once resubscribed', async () => {
    const gateway = await replica(shopSubgraphs(), newPrefix('l1-subscriber'));
    await gateway.read();
    expect((await gateway.read()).cache).toBe('HIT');
    expect(await gateway.hits('l1')).toBe(1);

    // Drop the subscriber's connection (the only subscribed one under this name).
    const id = await pubsubConnectionId(gateway.connectionName);
    expect(id).toBeDefined();
    await withAdmin((admin) => admin.client('KILL', 'ID', id!));
    await eventually(async () => (await gateway.l1InUse()) === 0, 2_000, 5);
    expect(await gateway.metric('autograph_gateway_response_cache_l1_entries')).toBe(0);
    // Redis itself still answers: the hit comes from there, not from memory.
    expect((await gateway.read()).cache).toBe('HIT');
    expect(await gateway.hits('l1')).toBe(1);
    expect(await gateway.hits('l2')).toBe(1);

    await eventually(async () => (await gateway.l1InUse()) === 1, 5_000, 20);
    await gateway.read();
    expect((await gateway.read()).cache).toBe('HIT');
    expect(await gateway.hits('l1')).toBe(2);
  });

  test('without Redis there is one level: the process store, counted as l1', async () => {
    const deps = testDeps();
    const gateway = createInMemoryGateway({ parts: [caching(testOptions().caching, deps)] });
    try {
      await gateway.graphql(PRODUCT);
      expect((await gateway.graphql(PRODUCT)).headers.get('x-cache')).toBe('HIT');
      expect(await metricValue(deps.metrics, REQUESTS, { result: 'hit', level: 'l1' })).toBe(1);
      expect(await metricValue(deps.metrics, REQUESTS, { result: 'miss', level: 'l1' })).toBe(1);
      // No second copy of anything: the two-level store (and its gauges) is not built.
      expect(deps.metrics.registry.getSingleMetric('autograph_gateway_response_cache_l1_entries')).toBeUndefined();
    } finally {
      await gateway.dispose();
    }
  });

  test('the L1 variables are checked at start', () => {
    expect(configIssues({ RESPONSE_CACHE_L1_TTL_MS: '-1' })).toEqual([
      expect.stringContaining('RESPONSE_CACHE_L1_TTL_MS'),
    ]);
    expect(configIssues({ RESPONSE_CACHE_L1_TTL_MS: '600000' })).toEqual([
      expect.stringMatching(/RESPONSE_CACHE_L1_TTL_MS.*at most 60000/),
    ]);
    expect(configIssues({ RESPONSE_CACHE_L1_MAX_BYTES: 'lots' })).toEqual([
      expect.stringContaining('RESPONSE_CACHE_L1_MAX_BYTES'),
    ]);
    expect(testOptions({ RESPONSE_CACHE_L1_MAX_ENTRIES: '0' }).caching.responseCache.l1).toBeNull();
    expect(testOptions().caching.responseCache.l1).toEqual({
      l1TtlMs: 3_000,
      maxEntries: 10_000,
      maxBytes: 64 * 2 ** 20,
    });
  });
});
