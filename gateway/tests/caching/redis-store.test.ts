import { afterAll, describe, expect, test } from 'bun:test';
import { Redis } from 'ioredis';
import { createLogger } from '../../../kit/log';
import { TEST_REDIS_URL } from '../../../tests/support/queues';
import { createRedisResponseStore } from '../../caching/redis-store';
import { UNKNOWN_ID } from '../../caching/entities';
import { createGatewayMetrics } from '../../metrics';
import { uniqueRedisPrefix } from '../harness';

/** The shared response store on a real Redis: what it keeps, for how long, and what an eviction drops. */
describe('Redis response store', () => {
  const redis = new Redis(TEST_REDIS_URL);
  const prefix = uniqueRedisPrefix('response-store');
  const store = createRedisResponseStore({
    redis,
    keyPrefix: prefix,
    logger: createLogger('test', 'silent'),
    metrics: createGatewayMetrics({ processMetrics: false }),
  });
  const result = (n: number) => JSON.stringify({ data: { offer: { id: `o${n}` } } });
  const text = async (key: string) => (await store.lookup(key))?.text ?? null;

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  test('an index keeps only live responses, however long it keeps being written to', async () => {
    // 40 short-lived responses of one type, then one more after they expired.
    for (let n = 0; n < 40; n++) store.set(`short-${n}`, result(n), [{ typename: 'Offer', id: UNKNOWN_ID }], 150);
    await Bun.sleep(300);
    store.set('fresh', result(99), [{ typename: 'Offer', id: UNKNOWN_ID }], 60_000);
    await Bun.sleep(50);
    const index = `${prefix}ei:Offer:${UNKNOWN_ID}`;
    expect(await redis.zcard(index)).toBe(1);
    expect(await redis.pttl(index)).toBeGreaterThan(50_000);
  });

  test('an eviction drops every response indexed under the entity or the type, and nothing else', async () => {
    store.set('a', result(1), [{ typename: 'Offer', id: 'o1' }], 60_000);
    store.set('b', result(2), [{ typename: 'Offer', id: 'o2' }], 60_000);
    store.set('c', JSON.stringify({ data: { make: { id: 'm1' } } }), [{ typename: 'Make', id: 'm1' }], 60_000);
    await Bun.sleep(50);
    store.invalidate([{ typename: 'Offer', id: 'o1' }]);
    await store.settled();
    expect([await text('a'), await text('b')]).toEqual([null, result(2)]);
    store.invalidate([{ typename: 'Offer' }]);
    await store.settled();
    expect(await text('b')).toBeNull();
    expect(JSON.parse((await text('c'))!)).toEqual({ data: { make: { id: 'm1' } } });
    // A copy for a process cache: the response, its indexes and what is left of its lifetime.
    const copy = await store.lookupCopy('c');
    expect(copy?.indexes?.sort()).toEqual(['Make', 'Make:m1']);
    expect(copy?.ttlMs).toBeGreaterThan(50_000);
    expect(copy?.ttlMs).toBeLessThanOrEqual(60_000);
  });
});
