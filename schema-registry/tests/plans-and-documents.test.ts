import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { startRegistry } from '../server';

// Query-plan diff and trusted documents, through the registry's API on a real Postgres. The plan
// diff uses the same Rust planner as the gateway.
const TOKEN = 'plans-admin-token';
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@shareable"])';
const offersV1 = `${LINK}\ntype Query { offers: [Offer!]! }\ntype Offer @key(fields: "id") { id: ID! title: String! price: Int! @shareable }`;
const pricing = `${LINK}\ntype Query { currency: String! }\ntype Offer @key(fields: "id") { id: ID! price: Int! @shareable }`;
// Same API, but price now only comes from pricing: one more fetch, one more sequential hop.
const offersWithoutPrice = `${LINK}\ntype Query { offers: [Offer!]! }\ntype Offer @key(fields: "id") { id: ID! title: String! }`;
const offersWithoutTitle = `${LINK}\ntype Query { offers: [Offer!]! }\ntype Offer @key(fields: "id") { id: ID! price: Int! @shareable }`;

const PRICES = 'query OfferPrices { offers { id price } }';
const TITLES = 'query OfferTitles { offers { id title } }';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;

const api = (path: string, init: RequestInit & { token?: string | null } = {}) =>
  fetch(`${registry.url}/v1/targets/shop${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? TOKEN}` }),
    },
  });
const post = (path: string, body: unknown, token?: string | null) =>
  api(path, { method: 'POST', body: JSON.stringify(body), token });
const check = async (name: string, sdl: string) => (await post('/checks', { name, sdl })).json();

beforeAll(async () => {
  database = await createTempDatabase('registry_plans');
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: TOKEN,
    targets: ['shop'],
    logger: createLogger('t', 'silent'),
  });
  expect((await post('/subgraphs', { name: 'offers', url: 'http://offers/graphql', sdl: offersV1 })).status).toBe(201);
  expect((await post('/subgraphs', { name: 'pricing', url: 'http://pricing/graphql', sdl: pricing })).status).toBe(201);
  const usage = [
    {
      hash: 'prices-op-hash',
      name: 'OfferPrices',
      document: PRICES,
      coordinates: ['Query.offers', 'Offer.id', 'Offer.price'],
      client: 'web',
      count: 900,
    },
    {
      hash: 'titles-op-hash',
      name: 'OfferTitles',
      document: TITLES,
      coordinates: ['Query.offers', 'Offer.id', 'Offer.title'],
      client: 'web',
      count: 100,
    },
  ];
  expect((await post('/usage', { operations: usage })).status).toBe(202);
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  await database?.drop();
});

test('the plan diff reports an operation that gains a subgraph fetch, though the API is unchanged', async () => {
  const result = await check('offers', offersWithoutPrice);
  expect(result.ok).toBe(true);
  expect(result.report.apiChanges).toEqual([]);
  expect(result.report.plans.planned).toBe(2);
  expect(result.report.plans.changes).toEqual([
    {
      hash: 'prices-op-hash',
      name: 'OfferPrices',
      requests: 900,
      kind: 'more-fetches',
      before: { fetches: 1, hops: 1, services: ['offers'] },
      after: { fetches: 2, hops: 2, services: ['offers', 'pricing'] },
    },
  ]);
});

test('the plan diff reports operations that would stop validating', async () => {
  const result = await check('offers', offersWithoutTitle);
  expect(result.ok).toBe(false);
  const invalid = result.report.plans.changes.find((c: { kind: string }) => c.kind === 'newly-invalid');
  expect(invalid).toMatchObject({ name: 'OfferTitles', requests: 100, after: null });
  expect(invalid.errors[0].message).toContain('Cannot query field "title"');
});

test('trusted documents are validated, immutable, and served by hash to read keys', async () => {
  const titles = { hash: sha(TITLES), document: TITLES };
  const stored = await post('/documents', { client: 'web', documents: [titles] });
  expect(stored.status).toBe(201);
  expect(await stored.json()).toMatchObject({ stored: 1, unchanged: 0, version: 2 });
  expect(await (await post('/documents', { client: 'web', documents: [titles] })).json()).toMatchObject({
    stored: 0,
    unchanged: 1,
  });

  const invalid = await post('/documents', {
    client: 'web',
    documents: [
      { hash: 'good-one-1', document: PRICES },
      { hash: 'bad-one-1', document: '{ offers {\n  nope } }' },
    ],
  });
  expect(invalid.status).toBe(400);
  const error = (await invalid.json()).error;
  expect(error.code).toBe('INVALID_DOCUMENTS');
  expect(error.details).toEqual([
    { hash: 'bad-one-1', errors: [{ message: 'Cannot query field "nope" on type "Offer".', line: 2, column: 3 }] },
  ]);
  const mismatch = await post('/documents', {
    client: 'web',
    documents: [{ hash: sha('something else'), document: PRICES }],
  });
  expect((await mismatch.json()).error.details[0].errors[0].message).toBe("hash is not the document's SHA-256");
  // Opaque ids (Relay-style) are accepted, but an id never changes its document.
  expect(
    (await post('/documents', { client: 'ios', documents: [{ hash: 'titles-v1', document: TITLES }] })).status,
  ).toBe(201);
  const rewrite = await post('/documents', { client: 'ios', documents: [{ hash: 'titles-v1', document: PRICES }] });
  expect((await rewrite.json()).error.details[0].errors[0].message).toContain('documents are immutable');
  // Nothing from a rejected manifest was stored, not even its valid documents.
  expect(
    (await (await api('/documents')).json()).map((d: { client: string; hash: string }) => `${d.client}:${d.hash}`),
  ).toEqual([`ios:titles-v1`, `web:${titles.hash}`]);

  const key = (await (await post('/tokens', { kind: 'read', name: 'gateway' })).json()).token;
  const served = await fetch(`${registry.url}/v1/targets/shop/documents/${titles.hash}`, {
    headers: { 'x-registry-key': key },
  });
  expect(await served.text()).toBe(TITLES);
  expect(served.headers.get('cache-control')).toContain('immutable');
  expect((await api(`/documents/${titles.hash}`, { token: null })).status).toBe(401);
  expect((await api('/documents/unknown-hash', { token: key })).status).toBe(404);
});

test('a check fails when it breaks a trusted document, even if recorded usage would allow it', async () => {
  await api('', { method: 'PATCH', body: JSON.stringify({ usageThresholdPercent: 50 }) }); // titles are 10 % of traffic
  const result = await check('offers', offersWithoutTitle);
  expect(result.report.apiChanges.find((c: { path: string }) => c.path === 'Offer.title')).toMatchObject({
    safeByUsage: true,
  });
  expect(result.ok).toBe(false);
  expect(result.report.blocking).toBe(2);
  expect(result.report.documents.checked).toBe(2);
  expect(result.report.documents.broken.map((d: { client: string; name: string }) => `${d.client}:${d.name}`)).toEqual([
    'ios:OfferTitles',
    'web:OfferTitles',
  ]);
  expect(result.report.documents.broken[0].errors[0].message).toBe('Cannot query field "title" on type "Offer".');
  const refused = await post('/subgraphs', { name: 'offers', url: 'http://offers/graphql', sdl: offersWithoutTitle });
  expect(refused.status).toBe(409);
  expect((await refused.json()).error.message).toContain('2 trusted document(s) broken');
});
