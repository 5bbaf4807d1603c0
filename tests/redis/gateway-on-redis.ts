import type { Redis } from 'ioredis';
import { caching } from '../../gateway/caching';
import { rateLimit } from '../../gateway/rate-limit';
import { connectGatewayRedis } from '../../gateway/redis';
import { createInMemoryGateway, metricValue, testDeps, testOptions } from '../../gateway/tests/in-memory';
import type { RedisTarget } from '../../kit/redis';
import { createLogger } from '../../kit/log';

/**
 * Hive Gateway (in memory, gateway/tests/in-memory.ts) with the rate-limit and caching concerns
 * built by their own index from the gateway's variables, on the gateway's own Redis connection
 * (gateway/redis.ts) to `target`: what a replica does with Redis, without subgraph processes.
 * Clients come from a TEST-NET address, so every request is charged to a budget in Redis.
 */
export function gatewayOnRedis(target: RedisTarget, env: Record<string, string> = {}) {
  const logger = createLogger('redis-fault', process.env.E2E_LOG_LEVEL ?? 'silent');
  const redis = connectGatewayRedis(target, logger);
  const keyPrefix = `autograph-test:redis-fault:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;
  const deps = testDeps({ redis, redisKeyPrefix: keyPrefix, logger });
  const options = testOptions(env);
  const gateway = createInMemoryGateway({
    parts: [rateLimit(options.rateLimit, deps), caching(options.caching, deps)],
  });
  const statuses: number[] = [];
  let queries = 0;

  return {
    redis,
    keyPrefix,
    /** Every HTTP status answered so far. */
    statuses,
    /** Asks a query never asked before twice: the second answer's x-cache says whether the cache stores. */
    async cacheRoundTrip(): Promise<{ first: string | null; second: string | null }> {
      const query = `{ q${++queries}: product(id: "1") { id name } }`;
      const answers = [];
      for (let i = 0; i < 2; i++) {
        const answer = await gateway.graphql(query);
        statuses.push(answer.status);
        answers.push(answer.headers.get('x-cache'));
      }
      return { first: answers[0]!, second: answers[1]! };
    },
    /** Rate-limit decisions taken without Redis so far. */
    fallbacks: () => metricValue(deps.metrics, 'autograph_gateway_rate_limit_redis_fallback_total'),
    /** This gateway's keys on `server` (a connection to one given Redis, whatever the sentinels say). */
    async keysOn(server: Redis): Promise<string[]> {
      return server.keys(`${keyPrefix}*`);
    },
    async dispose() {
      await gateway.dispose();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Polls `check` every 100 ms until it holds; resolves with the milliseconds it took, rejects after `timeoutMs`. */
export async function within(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return Math.round(performance.now() - started);
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
}
