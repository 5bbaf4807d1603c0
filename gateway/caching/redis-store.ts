import type { Redis } from 'ioredis';
import type { Logger } from '../../kit/log';
import type { GatewayMetrics } from '../metrics';
import { dropStalledConnection } from '../redis';
import { indexName, pendingJobs, storedIndexes, type ResponseCacheStore } from './store';

/**
 * Stores a response and indexes it under every entity (`Offer:42`) and type (`Offer`) it contains,
 * in one step, so an invalidation never finds a response without its index. An index is a sorted
 * set scored by when each response expires: every write first drops the members that have
 * expired, so an index holds only live responses however long it keeps being written to (a plain
 * set whose TTL each write refreshes keeps dead keys forever). It lives as long as its
 * longest-lived response. Time is the Redis server's, the same for every replica.
 * Beside the response, its index names (KEYS[2]): a replica that copies the response into its
 * process cache indexes it alike, so invalidation messages can evict it there too.
 */
const STORE = `
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('SET', KEYS[2], ARGV[3], 'PX', ttl)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = 3, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  redis.call('ZADD', KEYS[i], 'GT', now + ttl, KEYS[1])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;

/**
 * Drops every response indexed under the given entities or types, and the indexes themselves.
 * (A response's index names expire with it; without the response they are never read.)
 */
const INVALIDATE = `
local removed = 0
for i = 1, #KEYS do
  for _, key in ipairs(redis.call('ZRANGE', KEYS[i], 0, -1)) do removed = removed + redis.call('UNLINK', key) end
  redis.call('UNLINK', KEYS[i])
end
return removed`;

export const DEFAULT_REDIS_TIMEOUT_MS = 250;

export interface RedisResponseStoreOptions {
  redis: Redis;
  /** Prefix of every key written (the deployment's REDIS_KEY_PREFIX plus this store's part). */
  keyPrefix: string;
  logger: Logger;
  metrics: GatewayMetrics;
  /** A lookup or invalidation Redis has not answered by then counts as failed (a miss). */
  timeoutMs?: number;
}

/** A stored response with what a process cache needs to keep a copy: its indexes and remaining lifetime. */
export interface RedisCopy {
  text: string;
  /** Null for a response stored without them (by an older gateway): not to be copied. */
  indexes: string[] | null;
  ttlMs: number;
}

/**
 * Runs a command on `redis` within `timeoutMs`. A Redis that is connected but stalls (failover, a
 * blocked server) answers no command: the requests that wait on it (lookups, a mutation's
 * evictions) give up instead of hanging, and the stalled connection is dropped. Not connected
 * (down, or reconnecting after a stall) fails at once, like a refused command: an auto-pipelined
 * command would otherwise wait behind the stalled ones for its whole timeout.
 */
export function withinTimeout<T>(redis: Redis, logger: Logger, timeoutMs: number, command: () => Promise<T>) {
  if (redis.status !== 'ready') return Promise.reject(new Error(`redis ${redis.status}`));
  const job = command();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      dropStalledConnection(redis, logger);
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return Promise.race([job, late]).finally(() => clearTimeout(timer));
}

/** Counts a response-cache operation Redis could not serve, and logs it at debug level. */
export function storeFailures(metrics: GatewayMetrics, logger: Logger) {
  const storeErrors = metrics.counter({
    name: 'autograph_gateway_response_cache_store_errors_total',
    help: 'Response cache operations Redis could not serve; the request went on uncached',
    labelNames: ['operation'],
  });
  return (operation: 'get' | 'set' | 'invalidate' | 'publish', error: unknown) => {
    storeErrors.inc({ operation });
    // connectGatewayRedis already warns once when Redis goes away; one line per request would flood.
    logger.debug({ err: (error as Error).message, operation }, 'response cache store unavailable');
  };
}

/**
 * The response cache of every replica in one Redis: a mutation through any replica evicts the
 * responses it affects for all of them. Written for this gateway because the library ships no
 * Redis store of its own (`@envelop/response-cache-redis` is a separate package) and Hive
 * Gateway's `cache` store finds entities by scanning key prefixes. Any Redis failure makes a
 * lookup a miss and a write a no-op: requests are served uncached, never failed.
 */
export function createRedisResponseStore({
  redis,
  keyPrefix,
  logger,
  metrics,
  timeoutMs = DEFAULT_REDIS_TIMEOUT_MS,
}: RedisResponseStoreOptions): ResponseCacheStore & { lookupCopy(key: string): Promise<RedisCopy | null> } {
  const failed = storeFailures(metrics, logger);
  const responseKey = (key: string) => `${keyPrefix}r:${key}`;
  const indexesKey = (key: string) => `${keyPrefix}m:${key}`;
  // Sorted-set indexes (see STORE) under their own names: a set left by an older version is never written to.
  const indexKey = (index: string) => (index.includes(':') ? `${keyPrefix}ei:${index}` : `${keyPrefix}ti:${index}`);
  const pending = pendingJobs();
  const inTime = <T>(command: () => Promise<T>) => withinTimeout(redis, logger, timeoutMs, command);

  return {
    missLevel: 'l2',
    async lookup(key) {
      try {
        const text = await inTime(() => redis.get(responseKey(key)));
        return text ? { text, level: 'l2' } : null;
      } catch (error) {
        failed('get', error);
        return null;
      }
    },

    /** The response, its index names and remaining lifetime: three commands, one round trip (auto-pipelined). */
    async lookupCopy(key) {
      try {
        const [text, indexes, ttlMs] = await inTime(() =>
          Promise.all([redis.get(responseKey(key)), redis.get(indexesKey(key)), redis.pttl(responseKey(key))]),
        );
        if (!text) return null;
        return { text, indexes: indexes ? (JSON.parse(indexes) as string[]) : null, ttlMs };
      } catch (error) {
        failed('get', error);
        return null;
      }
    },

    set(key, text, entities, ttl) {
      if (!Number.isFinite(ttl) || ttl <= 0) return;
      const indexes = storedIndexes(entities);
      if (redis.status !== 'ready') return failed('set', new Error(`redis ${redis.status}`));
      redis
        .eval(
          STORE,
          2 + indexes.length,
          responseKey(key),
          indexesKey(key),
          ...indexes.map(indexKey),
          text,
          Math.ceil(ttl),
          JSON.stringify(indexes),
        )
        .catch((error) => failed('set', error));
    },

    invalidate(entities) {
      const indexes = [...new Set(entities.map((entity) => indexKey(indexName(entity))))];
      if (indexes.length === 0) return;
      pending.add(
        inTime(() => redis.eval(INVALIDATE, indexes.length, ...indexes)),
        (error) => failed('invalidate', error),
      );
    },

    settled: pending.settled,
  };
}
