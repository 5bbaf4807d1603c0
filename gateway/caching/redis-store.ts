import type { CacheEntityRecord } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { Redis } from 'ioredis';
import type { Logger } from '../../kit/log';
import type { GatewayMetrics } from '../metrics';
import type { ResponseCacheStore } from './store';

/**
 * Stores a response and indexes it under every entity (`Offer:42`) and type (`Offer`) it contains,
 * in one step, so an invalidation never finds a response without its index. An index is a sorted
 * set scored by when each response expires: every write first drops the members that have
 * expired, so an index holds only live responses however long it keeps being written to (a plain
 * set whose TTL each write refreshes keeps dead keys forever). It lives as long as its
 * longest-lived response. Time is the Redis server's, the same for every replica.
 */
const STORE = `
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = 2, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  redis.call('ZADD', KEYS[i], 'GT', now + ttl, KEYS[1])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;

/** Drops every response indexed under the given entities or types, and the indexes themselves. */
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
}: RedisResponseStoreOptions): ResponseCacheStore {
  const storeErrors = metrics.counter({
    name: 'autograph_gateway_response_cache_store_errors_total',
    help: 'Response cache operations Redis could not serve; the request went on uncached',
    labelNames: ['operation'],
  });
  const responseKey = (key: string) => `${keyPrefix}r:${key}`;
  // Sorted-set indexes (see STORE) under their own names: a set left by an older version is never written to.
  const indexKey = ({ typename, id }: CacheEntityRecord) =>
    id == null ? `${keyPrefix}ti:${typename}` : `${keyPrefix}ei:${typename}:${id}`;
  const pending = new Set<Promise<void>>();

  // A Redis that is connected but stalls (failover, a blocked server) answers no command: the
  // requests that wait on it (lookups, a mutation's evictions) give up instead of hanging.
  function inTime<T>(job: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([job, late]).finally(() => clearTimeout(timer));
  }

  function failed(operation: 'get' | 'set' | 'invalidate', error: unknown) {
    storeErrors.inc({ operation });
    // connectGatewayRedis already warns once when Redis goes away; one line per request would flood.
    logger.debug({ err: (error as Error).message, operation }, 'response cache store unavailable');
  }

  async function getText(key: string): Promise<string | null> {
    try {
      return await inTime(redis.get(responseKey(key)));
    } catch (error) {
      failed('get', error);
      return null;
    }
  }

  return {
    getText,
    async get(key) {
      const body = await getText(key);
      return body ? (JSON.parse(body) as ExecutionResult) : null;
    },

    set(key, result, entities, ttl) {
      if (!Number.isFinite(ttl) || ttl <= 0) return;
      const indexes = new Set<string>();
      for (const entity of entities) {
        indexes.add(indexKey({ typename: entity.typename }));
        if (entity.id != null) indexes.add(indexKey(entity));
      }
      redis
        .eval(STORE, 1 + indexes.size, responseKey(key), ...indexes, JSON.stringify(result), Math.ceil(ttl))
        .catch((error) => failed('set', error));
    },

    invalidate(entities) {
      const indexes = [...new Set(Array.from(entities, indexKey))];
      if (indexes.length === 0) return;
      const job: Promise<void> = inTime(redis.eval(INVALIDATE, indexes.length, ...indexes))
        .then(
          () => undefined,
          (error) => failed('invalidate', error),
        )
        .finally(() => pending.delete(job));
      pending.add(job);
      return job;
    },

    async settled() {
      await Promise.all(pending);
    },
  };
}
