import { afterAll, beforeAll, expect, test } from 'bun:test';
import { Redis } from 'ioredis';
import { beforeStop, startRedisServer, stopAll, watchUnhandled, type RedisProcess } from '../support/redis-servers';
import { gatewayOnRedis, within } from './gateway-on-redis';

/**
 * The gateway's Redis (a redis-server of the test's own) killed and restarted, then frozen
 * (SIGSTOP) and thawed: the gateway answers every request meanwhile, never with a 5xx and never
 * held by Redis: the response cache is bypassed (MISS), rate limits follow RATE_LIMIT_REDIS_DOWN
 * (default `local`: counted in this process), and both go back to Redis once it answers again.
 */

let server: RedisProcess;
let direct: Redis;
let unhandled: unknown[];

beforeAll(async () => {
  unhandled = watchUnhandled();
  server = await startRedisServer();
  // The test's own look at the server, not the gateway's: it waits out the outage on its own.
  direct = new Redis(server.port, '127.0.0.1', { retryStrategy: () => 100 });
  direct.on('error', () => {});
  beforeStop(async () => direct.disconnect());
});

afterAll(stopAll);

/** `rounds` cache round trips (two requests each): how long each took (ms), and every x-cache seen. */
async function roundTrips(gateway: ReturnType<typeof gatewayOnRedis>, rounds: number) {
  const took: number[] = [];
  const seen = new Set<string | null>();
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const { first, second } = await gateway.cacheRoundTrip();
    took.push(Math.round(performance.now() - started));
    seen.add(first).add(second);
  }
  return { took, slowest: Math.max(...took), seen };
}

test('killed and restarted: served uncached and limited locally meanwhile, on Redis again after', async () => {
  const gateway = gatewayOnRedis({ url: server.url }, { RATE_LIMIT_REQUESTS: '100000' });
  beforeStop(() => gateway.dispose());
  await within(5_000, 'gateway connected', async () => gateway.redis.status === 'ready');
  expect(await gateway.cacheRoundTrip()).toEqual({ first: 'MISS', second: 'HIT' });
  expect(await gateway.fallbacks()).toBe(0);

  await server.kill();
  const down = await roundTrips(gateway, 10);
  expect([...down.seen]).toEqual(['MISS']);
  // Nothing waits for a Redis that is not there: no connect timeout, no queued command.
  expect(down.slowest).toBeLessThan(500);
  const fallbacksWhileDown = await gateway.fallbacks();
  expect(fallbacksWhileDown).toBeGreaterThanOrEqual(20);

  await server.restart();
  const back = await within(10_000, 'response cache on the restarted Redis', async () => {
    const { second } = await gateway.cacheRoundTrip();
    return second === 'HIT';
  });
  const fallbacksAfter = await gateway.fallbacks();
  await gateway.cacheRoundTrip();
  expect(await gateway.fallbacks()).toBe(fallbacksAfter);
  await within(5_000, 'the test sees the restarted server', async () => direct.status === 'ready');
  const keys = await gateway.keysOn(direct);
  expect(keys.some((key) => key.includes('response-cache:r:'))).toBe(true);
  expect(keys.some((key) => key.includes('rate-limit:'))).toBe(true);
  console.log(
    `redis killed: slowest round trip ${down.slowest} ms, ${fallbacksWhileDown} local rate-limit decisions; cache back ${back} ms after the restart`,
  );
  expect(gateway.statuses.filter((status) => status >= 500)).toEqual([]);
  expect(unhandled).toEqual([]);
});

test('frozen (SIGSTOP) and thawed: answers arrive within the store timeouts, then Redis serves again', async () => {
  const gateway = gatewayOnRedis(
    { url: server.url },
    { RATE_LIMIT_REQUESTS: '100000', RESPONSE_CACHE_REDIS_TIMEOUT_MS: '200', RATE_LIMIT_REDIS_TIMEOUT_MS: '200' },
  );
  beforeStop(() => gateway.dispose());
  await within(5_000, 'gateway connected', async () => gateway.redis.status === 'ready');
  expect(await gateway.cacheRoundTrip()).toEqual({ first: 'MISS', second: 'HIT' });

  // A frozen server keeps its connections open and answers nothing: only timeouts help.
  server.signal('SIGSTOP');
  let frozen: Awaited<ReturnType<typeof roundTrips>>;
  try {
    frozen = await roundTrips(gateway, 5);
  } finally {
    server.signal('SIGCONT');
  }
  expect([...frozen.seen]).toEqual(['MISS']);
  // The first request waits out one store timeout (200 ms) and drops the stalled connection
  // (gateway/redis.ts); every later one sees Redis as down and does not wait at all.
  expect(frozen.took[0]!).toBeLessThan(200 + 400);
  expect(Math.max(...frozen.took.slice(1))).toBeLessThan(100);
  const back = await within(10_000, 'response cache after the thaw', async () => {
    const { second } = await gateway.cacheRoundTrip();
    return second === 'HIT';
  });
  console.log(`redis frozen: round trips ${frozen.took.join(', ')} ms; cache back ${back} ms after the thaw`);
  expect(gateway.statuses.filter((status) => status >= 500)).toEqual([]);
  expect(unhandled).toEqual([]);
});
