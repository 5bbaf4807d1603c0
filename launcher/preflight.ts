import postgres from 'postgres';
import Redis from 'ioredis';
import { describeConnectionError } from '../kit/db';
import { describeRedisTarget, redisOptions, type RedisTarget } from '../kit/redis';

/** Fails fast, with a sentence a person can act on, when a configured dependency is not there. */
export async function checkPostgres(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(describeConnectionError(url, error));
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** Connects once and pings; names REDIS_URL, or REDIS_SENTINELS when the sentinels decide where Redis is. */
export async function checkRedis(target: RedisTarget): Promise<void> {
  const redis = new Redis(
    redisOptions(target, {
      lazyConnect: true,
      connectTimeout: 3_000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      sentinelRetryStrategy: () => null,
    }),
  );
  let cause: Error | undefined;
  redis.on('error', (error) => (cause ??= error)); // reported below, once
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason = (cause ?? (error as Error)) as Error & { code?: string };
    const what =
      reason.code === 'ECONNREFUSED' ? 'which refused the connection' : `which cannot be used: ${reason.message}`;
    const variable = target.sentinel ? 'REDIS_SENTINELS' : 'REDIS_URL';
    throw new Error(`${variable} points to ${describeRedisTarget(target)}, ${what}`);
  } finally {
    redis.disconnect();
  }
}
