import { z } from 'zod';
import { env } from '../../kit/config';
import { createInMemoryResponseStore, DEFAULT_MAX_IN_MEMORY_RESPONSES } from './process-cache';
import { createRedisResponseStore, DEFAULT_REDIS_TIMEOUT_MS } from './redis-store';
import type { ResponseCacheStore } from './store';
import {
  createTwoLevelStore,
  DEFAULT_L1_MAX_BYTES,
  DEFAULT_L1_MAX_ENTRIES,
  DEFAULT_L1_TTL_MS,
} from './two-level-store';
import { DEFAULT_STATUS_HEADER, useResponseCache } from './use-response-cache';
import { DEFAULT_PLAN_CACHE_MAX_BYTES, DEFAULT_PLAN_CACHE_SIZE, usePlanCache } from './use-plan-cache';
import type { ChainDeps, ChainPart } from '../concern';

/** Reference data changes rarely (and its mutations evict it); listings change by the minute. */
export const DEFAULT_TTL_PER_TYPE = 'Make=300000,Model=300000,Generation=300000,Offer=15000';
/**
 * Search results are short-lived: a new offer evicts only responses that already contain it, so a
 * cached result list can miss a new listing for as long as it lives.
 */
export const DEFAULT_TTL_PER_FIELD = 'Query.searchOffers=5000';
export const DEFAULT_RESPONSE_TTL_MS = 30_000;

const onOff = (fallback: 'on' | 'off') => z.enum(['on', 'off']).default(fallback);
/** 0 switches L1 off. */
const l1Bound = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
/**
 * The L1 TTL is how long a replica that missed an invalidation (Redis unreachable at the wrong
 * moment) may serve the old answer from memory: kept short.
 */
export const MAX_L1_TTL_MS = 60_000;

/** `Name=milliseconds,...`, names being types (`Offer`) or fields (`Query.offers`). */
const ttlList = (kind: 'type' | 'field', fallback: string) => {
  const name = kind === 'type' ? /^[A-Za-z_]\w*$/ : /^[A-Za-z_]\w*\.[A-Za-z_]\w*$/;
  const shape = kind === 'type' ? 'Type=milliseconds' : 'Type.field=milliseconds';
  return z
    .string()
    .default(fallback)
    .transform((list, ctx) => {
      const ttls: Record<string, number> = {};
      for (const entry of list
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)) {
        const match = /^([^=\s]+)\s*=\s*(\d+)$/.exec(entry);
        if (!match || !name.test(match[1]!)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry}" is not ${shape} (a comma-separated list of them is expected)`,
          });
          return z.NEVER;
        }
        ttls[match[1]!] = Number(match[2]);
      }
      return ttls;
    });
};

/** Environment of the caching concern (response cache, plan cache). */
export const cachingEnv = z
  .object({
    RESPONSE_CACHE: onOff('on'),
    RESPONSE_CACHE_TTL_MS: env.positiveInt(DEFAULT_RESPONSE_TTL_MS),
    RESPONSE_CACHE_TTL_PER_TYPE: ttlList('type', DEFAULT_TTL_PER_TYPE),
    RESPONSE_CACHE_TTL_PER_FIELD: ttlList('field', DEFAULT_TTL_PER_FIELD),
    RESPONSE_CACHE_MAX_ENTRIES: env.positiveInt(DEFAULT_MAX_IN_MEMORY_RESPONSES),
    RESPONSE_CACHE_REDIS_TIMEOUT_MS: env.positiveInt(DEFAULT_REDIS_TIMEOUT_MS),
    RESPONSE_CACHE_L1_TTL_MS: l1Bound(DEFAULT_L1_TTL_MS).refine((ms) => ms <= MAX_L1_TTL_MS, {
      message: `must be at most ${MAX_L1_TTL_MS} ms: it bounds how long a replica may serve an answer another replica changed`,
    }),
    RESPONSE_CACHE_L1_MAX_ENTRIES: l1Bound(DEFAULT_L1_MAX_ENTRIES),
    RESPONSE_CACHE_L1_MAX_BYTES: l1Bound(DEFAULT_L1_MAX_BYTES),
    RESPONSE_CACHE_STATUS_HEADER: onOff('on'),
    RESPONSE_CACHE_EXTENSION: onOff('off'),
    QUERY_PLAN_CACHE: onOff('on'),
    QUERY_PLAN_CACHE_SIZE: env.positiveInt(DEFAULT_PLAN_CACHE_SIZE),
    QUERY_PLAN_CACHE_MAX_BYTES: env.positiveInt(DEFAULT_PLAN_CACHE_MAX_BYTES),
  })
  .transform((raw) => ({
    responseCache: {
      enabled: raw.RESPONSE_CACHE === 'on',
      ttlMs: raw.RESPONSE_CACHE_TTL_MS,
      ttlPerCoordinate: { ...raw.RESPONSE_CACHE_TTL_PER_TYPE, ...raw.RESPONSE_CACHE_TTL_PER_FIELD },
      maxInMemoryEntries: raw.RESPONSE_CACHE_MAX_ENTRIES,
      redisTimeoutMs: raw.RESPONSE_CACHE_REDIS_TIMEOUT_MS,
      // Any bound at 0 switches L1 off: the lookups go to Redis alone.
      l1:
        raw.RESPONSE_CACHE_L1_TTL_MS && raw.RESPONSE_CACHE_L1_MAX_ENTRIES && raw.RESPONSE_CACHE_L1_MAX_BYTES
          ? {
              l1TtlMs: raw.RESPONSE_CACHE_L1_TTL_MS,
              maxEntries: raw.RESPONSE_CACHE_L1_MAX_ENTRIES,
              maxBytes: raw.RESPONSE_CACHE_L1_MAX_BYTES,
            }
          : null,
      statusHeader: raw.RESPONSE_CACHE_STATUS_HEADER === 'on' ? DEFAULT_STATUS_HEADER : (false as const),
      exposeExtension: raw.RESPONSE_CACHE_EXTENSION === 'on',
    },
    planCache:
      raw.QUERY_PLAN_CACHE === 'on'
        ? { maxDocuments: raw.QUERY_PLAN_CACHE_SIZE, maxBytes: raw.QUERY_PLAN_CACHE_MAX_BYTES }
        : null,
  }));
export type CachingOptions = z.infer<typeof cachingEnv>;

export function caching(options: CachingOptions, deps: ChainDeps): ChainPart {
  const { enabled, maxInMemoryEntries, redisTimeoutMs, l1, ...responseCache } = options.responseCache;
  const store = enabled ? responseStore(options.responseCache, deps) : null;
  const responseCachePlugin = store
    ? useResponseCache({
        store,
        metrics: deps.metrics,
        ...responseCache,
        onFastHit: (request, params) => {
          for (const listener of deps.fastPathHits) listener(request, params as Record<string, unknown>);
        },
      })
    : null;
  return {
    name: 'caching',
    plugins: () => [
      ...(options.planCache ? [usePlanCache({ ...options.planCache, metrics: deps.metrics })] : []),
      ...(responseCachePlugin ? [responseCachePlugin] : []),
    ],
    fastPath: responseCachePlugin?.fastPath,
    dispose: async () => {
      await store?.dispose?.();
    },
  };
}

/**
 * With Redis: shared by every replica, with L1 in this process in front of it unless switched
 * off. Without: this process's memory, one level.
 */
function responseStore(
  { maxInMemoryEntries, redisTimeoutMs, l1 }: CachingOptions['responseCache'],
  deps: ChainDeps,
): ResponseCacheStore & { dispose?(): Promise<void> } {
  if (!deps.redis) return createInMemoryResponseStore({ maxEntries: maxInMemoryEntries });
  const shared = {
    redis: deps.redis,
    keyPrefix: `${deps.redisKeyPrefix}response-cache:`,
    logger: deps.logger,
    metrics: deps.metrics,
    timeoutMs: redisTimeoutMs,
  };
  return l1 ? createTwoLevelStore({ ...shared, ...l1 }) : createRedisResponseStore(shared);
}
