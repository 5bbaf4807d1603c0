import { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import type { Logger } from '../../kit/log';
import { FAIL_FAST, redisOptions, type RedisTarget } from '../../kit/redis';

const lookups = new Counter({
  name: 'autograph_catalog_cache_requests_total',
  help: 'Reference data looked up in the catalog cache, by kind (make, model, ...) and result (hit, miss)',
  labelNames: ['kind', 'result'],
});
const failures = new Counter({
  name: 'autograph_catalog_cache_errors_total',
  help: 'Catalog cache operations Redis could not serve; reads went to PostgreSQL',
  labelNames: ['operation'],
});

/** What the catalog caches: rows by id, and lists (`models-of-make`, `makes`) by their key. */
export type CacheKind = 'make' | 'model' | 'models-of-make' | 'makes';

/**
 * A read-through cache of reference data (makes, models) shared by every catalog replica.
 * Misses and Redis failures read PostgreSQL; writes evict what they change. Only found values are
 * cached, so a row inserted by a seed or a migration shows up at once; edits made outside the
 * mutations show up within the TTL.
 */
export interface ReferenceCache {
  /** Cached values in the order of `ids`; undefined where there is none. */
  getMany<V>(kind: CacheKind, ids: readonly string[]): Promise<(V | undefined)[]>;
  /** Stores values without waiting: a failed write only costs a later miss. */
  setMany(kind: CacheKind, entries: [id: string, value: unknown][]): void;
  evict(keys: [kind: CacheKind, id: string][]): Promise<void>;
  close(): Promise<void>;
}

/** Without Redis nothing is cached: replicas could not evict each other's copies. */
export const noCache: ReferenceCache = {
  getMany: async (_kind, ids) => ids.map(() => undefined),
  setMany: () => {},
  evict: async () => {},
  close: async () => {},
};

// Rows carry timestamps; JSON has no dates.
const revive = (key: string, value: unknown) =>
  key === 'createdAt' && typeof value === 'string' ? new Date(value) : value;

/**
 * Looks `ids` up in the cache and loads only the missing ones (then caches those that exist), in
 * the order of `ids`: what a DataLoader batch function needs.
 */
export async function readThrough<V>(
  cache: ReferenceCache,
  kind: CacheKind,
  ids: readonly string[],
  load: (missing: string[]) => Promise<ArrayLike<V | null>>,
): Promise<(V | null)[]> {
  const cached = await cache.getMany<V>(kind, ids);
  const missing = ids.filter((_, index) => cached[index] === undefined);
  if (missing.length === 0) return cached as V[];
  const loaded = await load(missing);
  const fresh = new Map(missing.map((id, index) => [id, loaded[index] ?? null]));
  cache.setMany(
    kind,
    [...fresh].filter(([, value]) => value != null && !(Array.isArray(value) && value.length === 0)),
  );
  return ids.map((id, index) => cached[index] ?? fresh.get(id) ?? null);
}

export function createRedisReferenceCache(options: {
  redis: RedisTarget;
  keyPrefix: string;
  ttlMs: number;
  logger: Logger;
}): ReferenceCache {
  // Commands fail at once while Redis is down instead of queueing: the reader goes to PostgreSQL.
  const redis = new Redis(redisOptions(options.redis, FAIL_FAST));
  let down = false;
  redis.on('error', (error) => {
    if (!down) options.logger.warn({ err: error.message }, 'redis unavailable; catalog reads go to PostgreSQL');
    down = true;
  });
  redis.on('ready', () => {
    down = false;
  });
  const key = (kind: CacheKind, id: string) => `${options.keyPrefix}${kind}:${id}`;
  const failed = (operation: string) => (error: unknown) => {
    failures.inc({ operation });
    options.logger.debug({ err: (error as Error).message, operation }, 'catalog cache operation failed');
  };

  return {
    async getMany<V>(kind: CacheKind, ids: readonly string[]) {
      if (ids.length === 0) return [];
      const values = await redis.mget(ids.map((id) => key(kind, id))).catch((error) => {
        failed('get')(error);
        return ids.map(() => null);
      });
      const found = values.map((value) => (value == null ? undefined : (JSON.parse(value, revive) as V)));
      const hits = found.filter((value) => value !== undefined).length;
      lookups.inc({ kind, result: 'hit' }, hits);
      lookups.inc({ kind, result: 'miss' }, ids.length - hits);
      return found;
    },
    setMany(kind, entries) {
      if (entries.length === 0) return;
      const pipeline = redis.pipeline();
      for (const [id, value] of entries) pipeline.set(key(kind, id), JSON.stringify(value), 'PX', options.ttlMs);
      pipeline.exec().catch(failed('set'));
    },
    async evict(keys) {
      if (keys.length === 0) return;
      await redis.unlink(...keys.map(([kind, id]) => key(kind, id))).catch(failed('evict'));
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
