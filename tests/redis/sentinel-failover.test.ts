import { afterAll, beforeAll, expect, test } from 'bun:test';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { redisConnection, SEARCH_QUEUE } from '../../subgraphs/offers/events';
import { beforeStop, startSentinelGroup, stopAll, watchUnhandled, type SentinelGroup } from '../support/redis-servers';
import { gatewayOnRedis, within } from './gateway-on-redis';

/**
 * A real failover: a primary, a replica and three sentinels of the test's own; the primary is
 * killed (SIGKILL) and the clients built by kit/redis.ts from REDIS_URL + REDIS_SENTINELS (the
 * gateway's connection with its response cache and rate limits, a BullMQ queue and worker on the
 * connection of subgraphs/offers/events.ts) must reach the promoted replica within 10 s, while
 * the gateway answers every request without a 5xx and nothing is thrown unhandled.
 */

const FOLLOW_WITHIN_MS = 10_000;
let group: SentinelGroup;
let unhandled: unknown[];

beforeAll(async () => {
  unhandled = watchUnhandled();
  group = await startSentinelGroup();
});

afterAll(stopAll);

test('the gateway and BullMQ follow the sentinels to the new primary after the old one is killed', async () => {
  const gateway = gatewayOnRedis(group.target, { RATE_LIMIT_REQUESTS: '100000' });
  beforeStop(() => gateway.dispose());
  const prefix = `autograph-test-${crypto.randomUUID()}`;
  const queue = new Queue(SEARCH_QUEUE, { connection: redisConnection(group.target), prefix });
  const received: string[] = [];
  const worker = new Worker(SEARCH_QUEUE, async (job) => void received.push(job.name), {
    connection: redisConnection(group.target),
    prefix,
  });
  // As events.ts does: a lost connection is an 'error' event, logged there, counted here.
  const errors = { queue: 0, worker: 0 };
  queue.on('error', () => errors.queue++);
  worker.on('error', () => errors.worker++);
  beforeStop(() => queue.close());
  beforeStop(() => worker.close());
  const replica = new Redis(group.replica.port, '127.0.0.1', { lazyConnect: true });
  beforeStop(async () => replica.disconnect());

  // Before: the cache stores on the primary and the queue delivers.
  await within(5_000, 'gateway connected', async () => gateway.redis.status === 'ready');
  expect(await gateway.cacheRoundTrip()).toEqual({ first: 'MISS', second: 'HIT' });
  await queue.add('before', {});
  await within(5_000, 'job before the failover', async () => received.includes('before'));
  expect(await group.primaryPort()).toBe(group.primary.port);

  await group.primary.kill();
  const killedAt = performance.now();
  // Published while there is no primary: BullMQ keeps it until it has one again.
  const added = queue.add('during', {});

  // The gateway keeps answering, uncached, until its connection reaches the promoted replica and
  // a fresh query is stored there (MISS, then HIT).
  const cacheBack = await within(FOLLOW_WITHIN_MS, 'response cache on the new primary', async () => {
    const { second } = await gateway.cacheRoundTrip();
    return second === 'HIT';
  });
  expect(await group.primaryPort()).toBe(group.replica.port);
  await added;
  const jobBack = await within(
    FOLLOW_WITHIN_MS - (performance.now() - killedAt),
    'job published during the failover',
    async () => received.includes('during'),
  );
  console.log(
    `failover followed: response cache after ${cacheBack} ms, BullMQ job after ${Math.round(performance.now() - killedAt)} ms ` +
      `(${jobBack} ms after the cache); ${gateway.statuses.length} gateway answers, rate-limit fallbacks ${await gateway.fallbacks()}, BullMQ errors ${JSON.stringify(errors)}`,
  );

  // What the gateway wrote after the failover is on the promoted replica: responses and budgets.
  await replica.connect();
  const keys = await gateway.keysOn(replica);
  expect(keys.some((key) => key.includes('response-cache:r:'))).toBe(true);
  expect(keys.some((key) => key.includes('rate-limit:'))).toBe(true);
  expect(gateway.statuses.filter((status) => status >= 500)).toEqual([]);
  expect(gateway.statuses.every((status) => status === 200)).toBe(true);
  expect(unhandled).toEqual([]);
});
