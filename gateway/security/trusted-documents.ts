import type { Redis } from 'ioredis';
import { GraphQLError } from 'graphql';
import { createLRUCache } from 'graphql-yoga';
import type { Logger } from '../../kit/log';
import type { RegistryClient } from '../../schema-registry/client';
import type { GatewayMetrics } from '../metrics';

/** Documents kept in this process (the memory layer in front of Redis and the registry). */
export const DEFAULT_TRUSTED_DOCUMENTS_CACHE_SIZE = 10_000;
/** How long an unknown hash stays unknown before the registry is asked again. */
export const DEFAULT_TRUSTED_DOCUMENTS_MISS_TTL_MS = 5_000;
/** Documents are immutable per hash; Redis keeps them this long after their last resolution. */
export const DEFAULT_TRUSTED_DOCUMENTS_REDIS_TTL_S = 7 * 24 * 3600;
export const DEFAULT_TRUSTED_DOCUMENTS_FETCH_TIMEOUT_MS = 3_000;

/** What the registry accepts as a document id; anything else cannot name a document. */
const DOCUMENT_ID = /^[A-Za-z0-9:_-]{8,128}$/;
/** Remembered misses are stored as this (a real document is never empty). */
const MISSING = '';

export interface TrustedDocumentStoreOptions {
  /** The registry client of the target whose documents are served, with a read (or stronger) token. */
  registry: Pick<RegistryClient, 'document' | 'target'>;
  redis: Redis | null;
  redisKeyPrefix: string;
  logger: Logger;
  metrics: GatewayMetrics;
  cacheSize?: number;
  missTtlMs?: number;
  redisTtlSeconds?: number;
  fetchTimeoutMs?: number;
}

/**
 * Resolves trusted-document ids to documents: memory (LRU), then Redis (shared by replicas),
 * then the registry (`GET /v1/targets/{target}/documents/{id}`). Documents are immutable per id,
 * so a found document is kept; an unknown id is remembered only briefly, so a document published
 * a moment ago is served within `missTtlMs`. Concurrent lookups of one id share one fetch.
 * Redis failures degrade to the registry; a registry failure is an error (503), never "unknown".
 */
export function createTrustedDocumentStore(options: TrustedDocumentStoreOptions) {
  const missTtlMs = options.missTtlMs ?? DEFAULT_TRUSTED_DOCUMENTS_MISS_TTL_MS;
  const redisTtlSeconds = options.redisTtlSeconds ?? DEFAULT_TRUSTED_DOCUMENTS_REDIS_TTL_S;
  const fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_TRUSTED_DOCUMENTS_FETCH_TIMEOUT_MS;
  const lookups = options.metrics.counter({
    name: 'autograph_gateway_trusted_document_lookups_total',
    help: 'Trusted-document lookups by the layer that answered (memory, redis, registry) and whether the document exists.',
    labelNames: ['source', 'found'],
  });
  // Found documents never expire here (ttl 0); misses get their own short ttl.
  const memory = createLRUCache<string>({ max: options.cacheSize ?? DEFAULT_TRUSTED_DOCUMENTS_CACHE_SIZE, ttl: 0 });
  const inFlight = new Map<string, Promise<string | null>>();
  const redisKey = (id: string) => `${options.redisKeyPrefix}trusted-documents:${options.registry.target}:${id}`;

  function remember(id: string, document: string | null) {
    if (document !== null) memory.set(id, document);
    else if (missTtlMs > 0) memory.set(id, MISSING, { ttl: missTtlMs });
  }

  async function fromRedis(id: string): Promise<string | null | undefined> {
    // Not connected (down, or reconnecting after a stall): straight to the registry, no waiting.
    if (options.redis?.status !== 'ready') return undefined;
    try {
      const value = await options.redis.get(redisKey(id));
      return value === null ? undefined : value === MISSING ? null : value;
    } catch {
      return undefined;
    }
  }

  function toRedis(id: string, document: string | null) {
    if (document === null && missTtlMs === 0) return;
    const write =
      document === null
        ? options.redis?.set(redisKey(id), MISSING, 'PX', missTtlMs)
        : options.redis?.set(redisKey(id), document, 'EX', redisTtlSeconds);
    write?.catch(() => {}); // a cache that cannot be written is only slower
  }

  /** Null: the registry knows no such document (404); any other failure, or no answer in time, is an error (503). */
  function fromRegistry(id: string): Promise<string | null> {
    return options.registry.document(id, { timeoutMs: fetchTimeoutMs }).catch((error: Error) => {
      throw unavailable(options.logger, id, error.message);
    });
  }

  async function resolve(id: string): Promise<string | null> {
    const shared = await fromRedis(id);
    if (shared !== undefined) {
      lookups.inc({ source: 'redis', found: String(shared !== null) });
      remember(id, shared);
      return shared;
    }
    const document = await fromRegistry(id);
    lookups.inc({ source: 'registry', found: String(document !== null) });
    remember(id, document);
    toRedis(id, document);
    return document;
  }

  return {
    /** The document for `id`, or null when no trusted document has that id. */
    get(id: string): string | null | Promise<string | null> {
      if (!DOCUMENT_ID.test(id)) return null;
      const known = memory.get(id);
      if (known !== undefined) {
        lookups.inc({ source: 'memory', found: String(known !== MISSING) });
        return known === MISSING ? null : known;
      }
      let pending = inFlight.get(id);
      if (!pending) {
        pending = resolve(id).finally(() => inFlight.delete(id));
        inFlight.set(id, pending);
      }
      return pending;
    },
  };
}

function unavailable(logger: Logger, id: string, reason: string) {
  logger.warn({ documentId: id, reason }, 'trusted document lookup failed');
  return new GraphQLError('Trusted documents are not available at the moment; try again shortly', {
    extensions: { code: 'PERSISTED_QUERY_UNAVAILABLE', http: { status: 503 } },
  });
}
