import type { EntityRecord } from './entities';

/** Where a cached answer was found: this process's memory (l1) or the Redis every replica shares (l2). */
export type CacheLevel = 'l1' | 'l2';

export interface CachedText {
  /** The stored response as its JSON text: the fast path serves it as it is. */
  text: string;
  level: CacheLevel;
}

/** Where cached responses live: Redis shared by every replica, this process's memory, or both in front of each other. */
export interface ResponseCacheStore {
  /** The level a miss is counted at: the last one asked. */
  readonly missLevel: CacheLevel;
  /** The stored text, synchronously when this process's memory holds it (no promise on that path). */
  lookup(key: string): CachedText | null | Promise<CachedText | null>;
  /** Stores a response (its JSON text) under its key, indexed by every entity and type it contains. */
  set(key: string, text: string, entities: readonly EntityRecord[], ttl: number): void;
  /** Evicts every response holding one of these entities (`Offer:42`) or types (`Offer`, no id). */
  invalidate(entities: readonly EntityRecord[]): void;
  /**
   * Resolves once the invalidations started so far reached every level (and, with two levels, were
   * announced to the other replicas). The gateway waits before answering a mutation, so the
   * client that changed something reads its own write on the next request, on any replica.
   */
  settled(): Promise<void>;
}

/** An entity's index name: `Offer:42` for an entity, `Offer` for its type (no id). */
export const indexName = ({ typename, id }: EntityRecord): string => (id == null ? typename : `${typename}:${id}`);

/** Every index a response is stored under: each type it holds, and each entity (`Offer:?` included). */
export function storedIndexes(entities: readonly EntityRecord[]): string[] {
  const indexes = new Set<string>();
  for (const entity of entities) {
    indexes.add(entity.typename);
    if (entity.id != null) indexes.add(indexName(entity));
  }
  return [...indexes];
}

/** The evictions a mutation's answer waits for (`settled`): a failure is reported, never thrown. */
export function pendingJobs() {
  const pending = new Set<Promise<void>>();
  return {
    add(job: Promise<unknown>, onError: (error: unknown) => void) {
      const tracked: Promise<void> = job.then(() => undefined, onError).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    async settled() {
      await Promise.all(pending);
    },
  };
}
