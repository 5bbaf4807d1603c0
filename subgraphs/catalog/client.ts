import LRU from 'lru-cache';
import { withGatewaySignature } from '../framework/auth';

/**
 * The catalog's one client for its peers (offers, reviews, search): how they ask it about models.
 * One `_entities` call per batch of IDs (the federation protocol itself, so the catalog needs no
 * private endpoint), with a short-lived in-process cache because catalog data is read-mostly
 * reference data. The cache is bounded (IDs come from clients) and remembers an unknown ID only
 * briefly, so a model created a moment ago is found at once.
 */
export interface CatalogModel {
  id: string;
  name: string;
  bodyType: string;
  make: { id: string; name: string };
}

/** How long a model found in the catalog is reused. */
export const DEFAULT_FOUND_TTL_MS = 60_000;
/** How long an ID the catalog does not know is answered as unknown without asking again. */
export const DEFAULT_NOT_FOUND_TTL_MS = 5_000;
/** Models (and unknown IDs) remembered per process; the least recently used go first. */
export const DEFAULT_MAX_ENTRIES = 10_000;

export interface CatalogClientOptions {
  /** The catalog's GraphQL endpoint. */
  url: string;
  /** Default DEFAULT_FOUND_TTL_MS. */
  ttlMs?: number;
  /** Default DEFAULT_NOT_FOUND_TTL_MS. */
  notFoundTtlMs?: number;
  /** Default DEFAULT_MAX_ENTRIES. */
  maxEntries?: number;
  /** Per catalog call; default 5 s. */
  timeoutMs?: number;
  /** GATEWAY_HMAC_SECRET: a catalog that only serves the gateway serves requests signed like it. */
  hmacSecret?: string;
}

const QUERY = /* GraphQL */ `
  query CatalogModels($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Model { id name bodyType make { id name } }
    }
  }
`;

/** LRU values must not be null; an unknown ID is remembered as this. */
const UNKNOWN = false;

export function createCatalogClient(options: CatalogClientOptions) {
  const ttlMs = options.ttlMs ?? DEFAULT_FOUND_TTL_MS;
  const notFoundTtlMs = options.notFoundTtlMs ?? DEFAULT_NOT_FOUND_TTL_MS;
  const cache = new LRU<string, CatalogModel | typeof UNKNOWN>({
    max: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
    ttl: ttlMs,
  });

  async function fetchModels(ids: string[]): Promise<Map<string, CatalogModel | null>> {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(
        withGatewaySignature(options.hmacSecret, {
          query: QUERY,
          variables: { representations: ids.map((id) => ({ __typename: 'Model', id })) },
        }),
      ),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    if (!response.ok) throw new Error(`catalog answered HTTP ${response.status}`);
    const body = (await response.json()) as {
      data?: { _entities: (CatalogModel | null)[] };
      errors?: { message: string }[];
    };
    if (!body.data) throw new Error(`catalog query failed: ${body.errors?.map((e) => e.message).join('; ')}`);
    return new Map(ids.map((id, i) => [id, body.data!._entities[i] ?? null]));
  }

  return {
    /** Models by ID; unknown IDs map to null. Throws if the catalog is unreachable. */
    async getModels(ids: readonly string[]): Promise<Map<string, CatalogModel | null>> {
      const result = new Map<string, CatalogModel | null>();
      const missing: string[] = [];
      for (const id of new Set(ids)) {
        const hit = cache.get(id);
        if (hit === undefined) missing.push(id);
        else result.set(id, hit === UNKNOWN ? null : hit);
      }
      if (missing.length > 0) {
        for (const [id, model] of await fetchModels(missing)) {
          result.set(id, model);
          if (model) {
            if (ttlMs > 0) cache.set(id, model);
          } else if (notFoundTtlMs > 0) cache.set(id, UNKNOWN, { ttl: notFoundTtlMs });
        }
      }
      return result;
    },
    async getModel(id: string): Promise<CatalogModel | null> {
      return (await this.getModels([id])).get(id) ?? null;
    },
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
