import postgres from 'postgres';
import Redis from 'ioredis';
import { describeConnectionError, redactUrl } from '../kit/db';

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

export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let cause: Error | undefined;
  redis.on('error', (error) => (cause ??= error)); // reported below, once
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason = (cause ?? (error as Error)) as Error & { code?: string };
    const what =
      reason.code === 'ECONNREFUSED' ? 'which refused the connection' : `which cannot be used: ${reason.message}`;
    throw new Error(`REDIS_URL points to ${redactUrl(url)}, ${what}`);
  } finally {
    redis.disconnect();
  }
}
