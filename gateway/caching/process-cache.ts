import LRU from 'lru-cache';
import { indexName, storedIndexes, type ResponseCacheStore } from './store';

export interface ProcessCacheOptions {
  maxEntries: number;
  /** Budget for the stored texts and keys (UTF-16: two bytes a character). */
  maxBytes: number;
}

interface Entry {
  text: string;
  indexes: readonly string[];
}

/**
 * Response texts in this process's memory: an LRU bounded by entries and bytes, each entry
 * expiring on its own TTL and indexed by the entities and types it holds (`Offer:42`, `Offer`),
 * so an invalidation drops exactly what Redis drops. `generation` moves on every eviction by
 * index and every clear: a fill that began before one (an answer read from Redis or computed
 * meanwhile) may predate the change, and is not kept.
 */
/** How often expired entries are swept out. */
const PURGE_STALE_EVERY_MS = 1_000;

export function createProcessCache({ maxEntries, maxBytes }: ProcessCacheOptions) {
  const byIndex = new Map<string, Set<string>>();
  const entries = new LRU<string, Entry>({
    max: maxEntries,
    maxSize: maxBytes,
    sizeCalculation: (entry, key) => (entry.text.length + key.length) * 2,
    // Evicted, expired, replaced or deleted: its keys leave the indexes with it.
    dispose: (entry, key) => {
      for (const index of entry.indexes) {
        const keys = byIndex.get(index);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) byIndex.delete(index);
      }
    },
  });
  let generation = 0;
  // lru-cache drops an expired entry only when it is read or pushed out by the bounds: without a
  // sweep, entries nobody asks for again (most of them, with varied variables) stay until the cache
  // is full, and the process grows to its bounds (seen in a 30-minute soak: +3 MiB a minute).
  const sweeper = setInterval(() => entries.purgeStale(), PURGE_STALE_EVERY_MS);
  sweeper.unref?.();

  return {
    /** Stops the sweep (the cache itself needs no closing). */
    close: () => clearInterval(sweeper),
    get generation() {
      return generation;
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return entries.calculatedSize ?? 0;
    },
    get: (key: string): string | undefined => entries.get(key)?.text,
    put(key: string, text: string, indexes: readonly string[], ttlMs: number) {
      if (!(ttlMs > 0)) return;
      entries.set(key, { text, indexes }, { ttl: Math.ceil(ttlMs) });
      // Too large for the byte budget: not stored (lru-cache refuses it), so not indexed either.
      if (!entries.has(key)) return;
      for (const index of indexes) {
        let keys = byIndex.get(index);
        if (!keys) byIndex.set(index, (keys = new Set()));
        keys.add(key);
      }
    },
    evict(indexes: readonly string[]) {
      generation++;
      for (const index of indexes) for (const key of [...(byIndex.get(index) ?? [])]) entries.delete(key);
    },
    clear() {
      generation++;
      entries.clear();
      byIndex.clear();
    },
  };
}

export type ProcessCache = ReturnType<typeof createProcessCache>;

export const DEFAULT_MAX_IN_MEMORY_RESPONSES = 1_000;
/** Byte budget of the process store of a gateway without Redis. */
export const DEFAULT_IN_MEMORY_MAX_BYTES = 64 * 2 ** 20;

/**
 * The only level of a gateway without REDIS_URL (a single replica): the same process cache the
 * two-level store puts in front of Redis, entries living their full TTL. One level, never two.
 */
export function createInMemoryResponseStore(
  options: Partial<ProcessCacheOptions> = {},
): ResponseCacheStore & { cache: ProcessCache; dispose(): Promise<void> } {
  const cache = createProcessCache({
    maxEntries: options.maxEntries ?? DEFAULT_MAX_IN_MEMORY_RESPONSES,
    maxBytes: options.maxBytes ?? DEFAULT_IN_MEMORY_MAX_BYTES,
  });
  return {
    cache,
    missLevel: 'l1',
    lookup(key) {
      const text = cache.get(key);
      return text === undefined ? null : { text, level: 'l1' };
    },
    set: (key, text, entities, ttl) => cache.put(key, text, storedIndexes(entities), ttl),
    invalidate: (entities) => cache.evict(entities.map(indexName)),
    settled: () => Promise.resolve(),
    dispose: async () => cache.close(),
  };
}
