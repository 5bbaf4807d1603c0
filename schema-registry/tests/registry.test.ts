import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { createRegistryClient, publishSubgraph, RegistryError } from '../client';
import { startRegistry } from '../server';

const TOKEN = 'registry-test-token';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@shareable"])';
const products = `${LINK}\ntype Product @key(fields: "id") { id: ID! name: String! }\ntype Query { product(id: ID!): Product }`;
const reviews = `${LINK}\ntype Product @key(fields: "id") { id: ID! rating: Float }\ntype Query { topRated: [Product!]! }`;
/** Redefines Product.name with another type: does not compose with `products`. */
const conflicting = `${LINK}\ntype Product @key(fields: "id") { id: ID! name: Int! }\ntype Query { other: Int }`;

/** The latest supergraph of a target through the registry client, conditional on `etag`. */
const latestSupergraph = ({ target, etag }: { target: string; etag?: string | null }) =>
  createRegistryClient({ registryUrl: registry.url, token: TOKEN, target }).supergraph({ etag });

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;

const publish = (target: string, name: string, sdl: string, token: string | null = TOKEN) =>
  fetch(`${registry.url}/v1/targets/${target}/subgraphs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ name, url: `http://127.0.0.1:9/${name}`, sdl }),
  });

beforeAll(async () => {
  database = await createTempDatabase('registry');
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: TOKEN,
    targets: ['alpha', 'beta', 'nothing-here'],
    logger: createLogger('registry-test', 'silent'),
  });
});

afterAll(async () => {
  await registry?.stop();
  await database?.drop();
});

describe('publishing and serving', () => {
  test('a publish composes and the supergraph is served with an ETag; If-None-Match gives 304', async () => {
    const response = await publish('alpha', 'products', products);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ changed: true, version: 1 });

    const first = await latestSupergraph({ target: 'alpha' });
    if (first.status !== 'ok') throw new Error('expected a supergraph');
    expect(first.sdl).toContain('join__Graph');
    expect(first.sdl).toContain('PRODUCTS');
    expect(first.version).toBe(1);
    expect(first.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(await latestSupergraph({ target: 'alpha', etag: first.etag })).toEqual({ status: 'unchanged' });
  });

  test('a second subgraph composes with the first; the same publish again changes nothing', async () => {
    const response = await publish('alpha', 'reviews', reviews);
    expect(await response.json()).toMatchObject({ changed: true, version: 2 });
    const again = await publish('alpha', 'reviews', reviews);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ changed: false, version: 2 });
    const served = await latestSupergraph({ target: 'alpha' });
    expect(served.status === 'ok' && served.sdl).toContain('topRated');
  });

  test('a schema that does not compose is rejected with details and the last good supergraph stays', async () => {
    const before = await latestSupergraph({ target: 'alpha' });
    const response = await publish('alpha', 'conflicting', conflicting);
    expect(response.status).toBe(409);
    const body = await response.json();
    expect(body.error.code).toBe('COMPOSITION_FAILED');
    expect(body.error.details.composition.errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(body.error.details)).toContain('Product.name');
    const after = await latestSupergraph({ target: 'alpha' });
    expect(after).toEqual(before);
    const list = await (await fetch(`${registry.url}/v1/targets/alpha/subgraphs`, AUTH)).json();
    expect(list.map((s: { name: string }) => s.name)).toEqual(['products', 'reviews']);
  });

  test('invalid SDL is refused with its line and column', async () => {
    const response = await publish('alpha', 'broken', 'type Query {\n  field: \n}');
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe('INVALID_SDL');
    expect(body.error.details).toEqual({ line: 3, column: 1 });
    expect(body.error.message).toContain('line 3, column 1');
  });

  test('bad names and URLs are refused', async () => {
    const response = await fetch(`${registry.url}/v1/targets/alpha/subgraphs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ name: 'Bad Name', url: 'ftp://x', sdl: products }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('BAD_REQUEST');
  });

  test('writes need the token: missing → 401, wrong → 403', async () => {
    const missing = await publish('alpha', 'products', products, null);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('UNAUTHENTICATED');
    const wrong = await publish('alpha', 'products', products, 'not-the-token');
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('FORBIDDEN');
    const remove = await fetch(`${registry.url}/v1/targets/alpha/subgraphs/reviews`, { method: 'DELETE' });
    expect(remove.status).toBe(401);
  });

  test('a target without a supergraph answers 404 NO_SUPERGRAPH', async () => {
    const error = await latestSupergraph({ target: 'nothing-here' }).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.status).toBe(404);
    expect(error.code).toBe('NO_SUPERGRAPH');
  });
});

describe('concurrency and deletion', () => {
  test('concurrent publishes of different subgraphs are both kept', async () => {
    const names = ['one', 'two', 'three', 'four', 'five', 'six'];
    const results = await Promise.all(
      names.map((name) =>
        publishSubgraph({
          registryUrl: registry.url,
          target: 'beta',
          token: TOKEN,
          name,
          url: `http://127.0.0.1:9/${name}`,
          sdl: `${LINK}\ntype Query { ${name}: Int }`,
        }),
      ),
    );
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const served = await latestSupergraph({ target: 'beta' });
    for (const name of names) expect(served.status === 'ok' && served.sdl).toContain(`${name}: Int`);
  });

  test('deleting a subgraph: dry run reports, breaking needs force, then recomposes without it', async () => {
    const remove = (query = '') =>
      fetch(`${registry.url}/v1/targets/beta/subgraphs/six${query}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
    const dry = await remove('?dryRun=true&force=true');
    expect(dry.status).toBe(200);
    const dryBody = await dry.json();
    expect(dryBody.status).toBe('checked');
    expect(dryBody.report.apiChanges).toContainEqual(expect.objectContaining({ level: 'breaking', path: 'Query.six' }));
    expect(((await latestSupergraph({ target: 'beta' })) as { sdl: string }).sdl).toContain('six: Int');

    const refused = await remove();
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.code).toBe('BREAKING_CHANGES');

    expect((await remove('?force=true')).status).toBe(201);
    const served = await latestSupergraph({ target: 'beta' });
    expect(served.status === 'ok' && served.sdl).not.toContain('six: Int');
    expect((await remove('?force=true')).status).toBe(404);
  });

  test('health and readiness', async () => {
    expect((await fetch(`${registry.url}/healthcheck`)).status).toBe(200);
    expect((await fetch(`${registry.url}/readiness`)).status).toBe(200);
  });
});
