import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import {
  createCatalogClient,
  DEFAULT_FOUND_TTL_MS,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_NOT_FOUND_TTL_MS,
  type CatalogModel,
} from '../client';

/**
 * The catalog client against a stand-in catalog on port 0 that answers `_entities` and counts
 * how often each ID was asked for: what the cache saves is what the catalog does not see.
 */
const KNOWN: CatalogModel = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Outback',
  bodyType: 'WAGON',
  make: { id: 'm1', name: 'Subaru' },
};
const asked = new Map<string, number>();
let catalog: ReturnType<typeof Bun.serve>;
let url: string;

beforeAll(() => {
  catalog = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (request) => {
      const body = (await request.json()) as { variables: { representations: { id: string }[] } };
      const ids = body.variables.representations.map((r) => r.id);
      for (const id of ids) asked.set(id, (asked.get(id) ?? 0) + 1);
      return Response.json({ data: { _entities: ids.map((id) => (id === KNOWN.id ? KNOWN : null)) } });
    },
  });
  url = `http://127.0.0.1:${catalog.port}/graphql`;
});

afterAll(() => catalog.stop(true));

const unknownId = (n: number) => `ffffffff-0000-4000-8000-${n.toString().padStart(12, '0')}`;

describe('catalog client', () => {
  test('defaults: found models for a minute, unknown IDs for a few seconds, a bounded number of entries', () => {
    expect(DEFAULT_FOUND_TTL_MS).toBe(60_000);
    expect(DEFAULT_NOT_FOUND_TTL_MS).toBeLessThanOrEqual(10_000);
    expect(DEFAULT_MAX_ENTRIES).toBeGreaterThan(0);
  });

  test('asks the catalog once per ID while the answer is fresh, found or not', async () => {
    const client = createCatalogClient({ url });
    const missing = unknownId(1);
    expect(await client.getModel(KNOWN.id)).toEqual(KNOWN);
    const both = await client.getModels([KNOWN.id, missing, missing]);
    expect(both.get(KNOWN.id)).toEqual(KNOWN);
    expect(both.get(missing)).toBeNull();
    expect(await client.getModel(missing)).toBeNull();
    expect(asked.get(KNOWN.id)).toBe(1);
    expect(asked.get(missing)).toBe(1);
  });

  test('"not found" is short-lived: a model created a moment later is found', async () => {
    const client = createCatalogClient({ url, notFoundTtlMs: 50 });
    const missing = unknownId(2);
    expect(await client.getModel(missing)).toBeNull();
    expect(await client.getModel(missing)).toBeNull();
    expect(asked.get(missing)).toBe(1);
    await Bun.sleep(80);
    expect(await client.getModel(missing)).toBeNull();
    expect(asked.get(missing)).toBe(2);
  });

  test('remembers at most maxEntries IDs: client-supplied IDs cannot grow it without bound', async () => {
    const client = createCatalogClient({ url, maxEntries: 3 });
    const ids = [3, 4, 5, 6].map(unknownId);
    await client.getModels(ids);
    // The first was evicted to make room for the fourth; the other three are still cached.
    await client.getModels(ids);
    expect(ids.map((id) => asked.get(id))).toEqual([2, 1, 1, 1]);
    // Asking for the first again evicted the least recently used one (the second).
    await client.getModel(ids[1]!);
    expect(ids.map((id) => asked.get(id))).toEqual([2, 2, 1, 1]);
  });
});
