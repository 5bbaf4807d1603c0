import { signedExtensions } from './auth';

/**
 * How offers, reviews and search ask the catalog about models: one `_entities` call per batch
 * of IDs (the federation protocol itself, so the catalog needs no private endpoint), with a
 * short-lived in-process cache because catalog data is read-mostly reference data.
 */
export interface CatalogModel {
  id: string;
  name: string;
  bodyType: string;
  make: { id: string; name: string };
}

const QUERY = /* GraphQL */ `
  query CatalogModels($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Model { id name bodyType make { id name } }
    }
  }
`;

export function createCatalogClient(options: { url: string; ttlMs?: number; timeoutMs?: number; hmacSecret?: string }) {
  const ttlMs = options.ttlMs ?? 60_000;
  const cache = new Map<string, { model: CatalogModel | null; expires: number }>();

  async function fetchModels(ids: string[]): Promise<Map<string, CatalogModel | null>> {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(await signed(options.hmacSecret, { query: QUERY, variables: { representations: ids.map((id) => ({ __typename: 'Model', id })) } })),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    if (!response.ok) throw new Error(`catalog answered HTTP ${response.status}`);
    const body = (await response.json()) as { data?: { _entities: (CatalogModel | null)[] }; errors?: { message: string }[] };
    if (!body.data) throw new Error(`catalog query failed: ${body.errors?.map((e) => e.message).join('; ')}`);
    return new Map(ids.map((id, i) => [id, body.data!._entities[i] ?? null]));
  }

  return {
    /** Models by ID; unknown IDs map to null. Throws if the catalog is unreachable. */
    async getModels(ids: readonly string[]): Promise<Map<string, CatalogModel | null>> {
      const now = Date.now();
      const result = new Map<string, CatalogModel | null>();
      const missing: string[] = [];
      for (const id of new Set(ids)) {
        const hit = cache.get(id);
        if (hit && hit.expires > now) result.set(id, hit.model);
        else missing.push(id);
      }
      if (missing.length > 0) {
        for (const [id, model] of await fetchModels(missing)) {
          result.set(id, model);
          cache.set(id, { model, expires: now + ttlMs });
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

/** A subgraph that only serves the gateway (GATEWAY_HMAC_SECRET) serves its peers when they sign like it. */
export async function signed<P extends { query: string; variables?: Record<string, unknown> }>(secret: string | undefined, params: P) {
  return secret ? { ...params, extensions: await signedExtensions(secret, params) } : params;
}
