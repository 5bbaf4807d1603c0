import type { Redis } from 'ioredis';
import LRU from 'lru-cache';
import type { Logger } from '../../kit/log';
import type { GatewayMetrics } from '../metrics';
import { createInvalidationBus } from './invalidation-bus';
import { createProcessCache, type ProcessCacheOptions } from './process-cache';
import { createRedisResponseStore, DEFAULT_REDIS_TIMEOUT_MS, storeFailures } from './redis-store';
import { indexName, pendingJobs, storedIndexes, type CachedText, type ResponseCacheStore } from './store';

export const DEFAULT_L1_TTL_MS = 3_000;
export const DEFAULT_L1_MAX_ENTRIES = 10_000;
export const DEFAULT_L1_MAX_BYTES = 64 * 2 ** 20;

export interface TwoLevelStoreOptions extends ProcessCacheOptions {
  redis: Redis;
  /** Prefix of every key and of the invalidation channel. */
  keyPrefix: string;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Longest life of a copy in this process (never longer than the response's own). */
  l1TtlMs: number;
  timeoutMs?: number;
}

/**
 * A bounded cache in this process (L1) in front of the Redis every replica shares (L2). Lookups
 * ask L1, then L2 (a hit there is copied into L1); stores write both.
 *
 * Coherence: a mutation evicts this replica's L1 at once, then L2, then publishes the evicted
 * indexes on a Redis channel, and the gateway answers only after that (`settled`). Every other
 * replica evicts its L1 when the message arrives, a few milliseconds later: in that window it may
 * still serve the old answer from L1, and never longer than its L1 TTL even if the message is
 * lost. L1 is used only while this replica is subscribed and its Redis connection is up; when
 * either goes, L1 is emptied and skipped until both are back, so a replica cut off from the
 * invalidations never serves from memory. A copy is kept only if no eviction happened since its
 * lookup began (`generation`), so an answer read or computed before a change cannot land in L1
 * after that change's eviction.
 */
export function createTwoLevelStore(options: TwoLevelStoreOptions): ResponseCacheStore & { dispose(): Promise<void> } {
  const { redis, logger, metrics, l1TtlMs } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const l1 = createProcessCache(options);
  const l2 = createRedisResponseStore({ redis, keyPrefix: options.keyPrefix, logger, metrics, timeoutMs });
  const failed = storeFailures(metrics, logger);
  const bus = createInvalidationBus({
    redis,
    channel: `${options.keyPrefix}invalidations`,
    logger,
    timeoutMs,
    onInvalidation: (indexes) => l1.evict(indexes),
    onLost: () => l1.clear(),
    onSubscribed: () => l1.clear(),
  });
  // The main connection dropped (down, or stalled and dropped): this replica's own publishes fail.
  const onRedisLost = () => l1.clear();
  redis.on('close', onRedisLost);
  const usable = () => bus.live && redis.status === 'ready';
  // The L1 generation each key missed at: its answer, stored later, is copied only if nothing was evicted since.
  const missedAt = new LRU<string, number>({ max: 10_000 });
  const pending = pendingJobs();
  l1Gauges(metrics, l1, usable);

  async function fromL2(key: string, since: number): Promise<CachedText | null> {
    const copy = await l2.lookupCopy(key);
    if (!copy) {
      missedAt.set(key, since);
      return null;
    }
    if (copy.indexes && usable() && l1.generation === since)
      l1.put(key, copy.text, copy.indexes, Math.min(l1TtlMs, copy.ttlMs));
    return { text: copy.text, level: 'l2' };
  }

  return {
    missLevel: 'l2',
    lookup(key) {
      if (!usable()) return l2.lookup(key);
      const text = l1.get(key);
      return text === undefined ? fromL2(key, l1.generation) : { text, level: 'l1' };
    },
    set(key, text, entities, ttl) {
      l2.set(key, text, entities, ttl);
      const since = missedAt.get(key);
      missedAt.delete(key);
      if (since === l1.generation && usable()) l1.put(key, text, storedIndexes(entities), Math.min(l1TtlMs, ttl));
    },
    invalidate(entities) {
      const indexes = [...new Set(entities.map(indexName))];
      if (indexes.length === 0) return;
      l1.evict(indexes);
      l2.invalidate(entities);
      // Announced only once L2 no longer holds them: a replica evicting on the message cannot refill from L2.
      pending.add(
        l2.settled().then(() => bus.publish(indexes)),
        (error) => failed('publish', error),
      );
    },
    settled: pending.settled,
    async dispose() {
      redis.off('close', onRedisLost);
      await bus.dispose();
      l1.clear();
      l1.close();
    },
  };
}

/** Size and state of L1, read when /metrics is scraped. */
function l1Gauges(metrics: GatewayMetrics, l1: ReturnType<typeof createProcessCache>, inUse: () => boolean) {
  metrics.gauge({
    name: 'autograph_gateway_response_cache_l1_entries',
    help: 'Responses held in this process (L1, in front of Redis)',
    collect() {
      this.set(l1.size);
    },
  });
  metrics.gauge({
    name: 'autograph_gateway_response_cache_l1_bytes',
    help: 'Bytes of the responses held in this process (L1; UTF-16 text and keys)',
    collect() {
      this.set(l1.bytes);
    },
  });
  metrics.gauge({
    name: 'autograph_gateway_response_cache_l1_in_use',
    help: "1 while L1 is used (subscribed to the other replicas' invalidations, Redis reachable); 0: skipped and empty",
    collect() {
      this.set(inUse() ? 1 : 0);
    },
  });
}
