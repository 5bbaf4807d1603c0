import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { startRegistry } from '../server';

const TOKEN = 'versions-test-token';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';
const v1 = `${LINK}\ntype Product @key(fields: "id") { id: ID! name: String! price: Int! }\ntype Query { product(id: ID!): Product }`;
const v2 = `${LINK}\ntype Product @key(fields: "id") { id: ID! name: String! price: Int! weight: Float }\ntype Query { product(id: ID!): Product }`;
/** Drops Product.price: breaking for clients. */
const v3 = `${LINK}\ntype Product @key(fields: "id") { id: ID! name: String! weight: Float }\ntype Query { product(id: ID!): Product }`;

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${registry.url}/v1/targets/shop${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
      ...(init.headers as Record<string, string>),
    },
  });
const publish = (sdl: string, extra: Record<string, unknown> = {}) =>
  api('/subgraphs', {
    method: 'POST',
    body: JSON.stringify({ name: 'products', url: 'http://127.0.0.1:9/graphql', sdl, author: 'ann', ...extra }),
  });

beforeAll(async () => {
  database = await createTempDatabase('registry_versions');
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: TOKEN,
    targets: ['shop', 'shop-prod'],
    logger: createLogger('t', 'silent'),
  });
  expect((await publish(v1, { commit: 'abc123' })).status).toBe(201);
  expect((await publish(v2)).status).toBe(201);
});

afterAll(async () => {
  await registry?.stop();
  await database?.drop();
});

test('a check reports safe and breaking changes without changing anything', async () => {
  const safe = await (
    await api('/checks', {
      method: 'POST',
      body: JSON.stringify({ name: 'products', sdl: v2.replace('weight: Float', 'weight: Float color: String') }),
    })
  ).json();
  expect(safe.ok).toBe(true);
  expect(safe.report.apiChanges).toContainEqual(expect.objectContaining({ level: 'safe', path: 'Product.color' }));

  const breaking = await (
    await api('/checks', { method: 'POST', body: JSON.stringify({ name: 'products', sdl: v3 }) })
  ).json();
  expect(breaking.ok).toBe(false);
  expect(breaking.report.breaking).toBe(1);
  expect(breaking.report.apiChanges).toContainEqual(
    expect.objectContaining({ level: 'breaking', path: 'Product.price' }),
  );
  expect(breaking.report.subgraphChanges).toContainEqual(
    expect.objectContaining({ level: 'breaking', path: 'Product.price' }),
  );
  expect(await (await api('/versions')).json()).toHaveLength(2);
});

test('a breaking publish is refused unless forced, and the force is recorded', async () => {
  const refused = await publish(v3);
  expect(refused.status).toBe(409);
  const body = await refused.json();
  expect(body.error.code).toBe('BREAKING_CHANGES');
  expect(body.error.details.breaking).toBe(1);
  expect(await (await fetch(`${registry.url}/v1/targets/shop/supergraph`, AUTH)).text()).toContain('price');

  const forced = await publish(v3, { force: true, commit: 'def456' });
  expect(forced.status).toBe(201);
  const history = await (await api('/versions')).json();
  expect(history.map((v: { number: number }) => v.number)).toEqual([3, 2, 1]);
  expect(history[0]).toMatchObject({
    number: 3,
    forced: true,
    author: 'ann',
    commit: 'def456',
    change: 'publish products',
    subgraphs: ['products'],
  });
  expect(history[2]).toMatchObject({ number: 1, forced: false, commit: 'abc123' });
});

test('versions are immutable artifacts, and any two can be diffed', async () => {
  const first = await fetch(`${registry.url}/v1/targets/shop/versions/1/supergraph`, AUTH);
  expect(first.status).toBe(200);
  expect(first.headers.get('cache-control')).toContain('immutable');
  expect(first.headers.get('x-autograph-version')).toBe('1');
  expect(await first.text()).not.toContain('weight');
  expect((await fetch(`${registry.url}/v1/targets/shop/versions/99/supergraph`, AUTH)).status).toBe(404);

  const diff = await (await fetch(`${registry.url}/v1/targets/shop/diff?from=1&to=3`, AUTH)).json();
  expect(diff.changes).toContainEqual(expect.objectContaining({ level: 'breaking', path: 'Product.price' }));
  expect(diff.changes).toContainEqual(expect.objectContaining({ level: 'safe', path: 'Product.weight' }));
  expect((await fetch(`${registry.url}/v1/targets/shop/diff?from=x&to=1`, AUTH)).status).toBe(400);
});

test('rollback re-publishes an earlier version as a new one', async () => {
  const response = await api('/rollback', { method: 'POST', body: JSON.stringify({ version: 1, author: 'bob' }) });
  expect(response.status).toBe(201);
  expect((await response.json()).version).toBe(4);
  const served = await fetch(`${registry.url}/v1/targets/shop/supergraph`, AUTH);
  expect(served.headers.get('x-autograph-version')).toBe('4');
  const text = await served.text();
  expect(text).toContain('price');
  expect(text).not.toContain('weight');
  expect((await (await api('/versions')).json())[0]).toMatchObject({
    number: 4,
    change: 'rollback to 1',
    author: 'bob',
  });
  expect((await api('/rollback', { method: 'POST', body: JSON.stringify({ version: 42 }) })).status).toBe(404);
});

test('promote copies a version to another target, checked against that target', async () => {
  const promote = (body: Record<string, unknown>) => api('/promote', { method: 'POST', body: JSON.stringify(body) });
  const first = await promote({ version: 1, to: 'shop-prod' });
  expect(first.status).toBe(201);
  const prod = await fetch(`${registry.url}/v1/targets/shop-prod/supergraph`, AUTH);
  expect(prod.headers.get('x-autograph-version')).toBe('1');
  expect(await prod.text()).toContain('price');
  // Version 3 dropped Product.price: breaking for prod, refused unless forced.
  expect((await promote({ version: 3, to: 'shop-prod' })).status).toBe(409);
  const forced = await promote({ version: 3, to: 'shop-prod', force: true });
  expect((await forced.json()).version).toBe(2);
  expect((await fetch(`${registry.url}/v1/targets/shop-prod/versions`, AUTH).then((r) => r.json()))[0]).toMatchObject({
    change: 'promote shop v3',
    forced: true,
  });
  expect((await promote({ version: 99, to: 'shop-prod' })).status).toBe(404);
  expect((await promote({ version: 1, to: 'shop' })).status).toBe(400);
});

test('every write is in the audit log, with a token fingerprint and never the token', async () => {
  const response = await fetch(`${registry.url}/v1/audit?target=shop`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  const entries = (await response.json()) as {
    action: string;
    outcome: string;
    actor: string | null;
    token: string;
    details: Record<string, unknown>;
  }[];
  const summary = entries.map((e) => `${e.action}:${e.outcome}`).reverse();
  expect(summary.slice(0, 5)).toEqual([
    'publish:published',
    'publish:published',
    'publish:rejected',
    'publish:published',
    'rollback:published',
  ]);
  expect(entries.every((e) => e.token.startsWith('sha256:') && !e.token.includes(TOKEN))).toBe(true);
  expect(entries.find((e) => e.action === 'rollback' && e.outcome === 'published')).toMatchObject({
    actor: 'bob',
    details: { to: 1, version: 4 },
  });
  const prod = await (
    await fetch(`${registry.url}/v1/audit?target=shop-prod`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json();
  expect(prod.map((e: { action: string }) => e.action)).toContain('promote');
  expect((await fetch(`${registry.url}/v1/audit`)).status).toBe(401);
});
