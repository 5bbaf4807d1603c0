import { createInMemoryCache, type Cache } from '@envelop/response-cache';

/** Where cached responses live: Redis shared by every replica, or this process's memory. */
export interface ResponseCacheStore extends Cache {
  /**
   * Resolves once the invalidations started so far reached the store. The library starts them
   * without waiting; the gateway waits before answering a mutation, so the client that changed
   * something reads its own write on the next request, on any replica.
   */
  settled(): Promise<void>;
  /** The stored response as its JSON text, when the store keeps text (Redis): the fast path serves it with no parse. */
  getText?(key: string): Promise<string | null>;
}

export const DEFAULT_MAX_IN_MEMORY_RESPONSES = 1_000;

/** A bounded LRU in this process (the library's own): for a single gateway without REDIS_URL. */
export function createInMemoryResponseStore(options: { maxEntries?: number } = {}): ResponseCacheStore {
  const cache = createInMemoryCache({ max: options.maxEntries ?? DEFAULT_MAX_IN_MEMORY_RESPONSES });
  return {
    get: (key) => cache.get(key),
    set: (key, result, entities, ttl) => cache.set(key, result, entities, ttl),
    invalidate: (entities) => cache.invalidate(entities),
    settled: () => Promise.resolve(),
  };
}
