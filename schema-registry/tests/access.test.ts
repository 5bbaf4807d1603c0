import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { startRegistry } from '../server';

// Auth on every endpoint: each is called with no token, a wrong token, a token one level too
// weak, the right level for another target, and the right token. Bodies are deliberately empty:
// a 400 proves the request got past authorisation, which is all this file is about.
const ADMIN = 'access-test-admin';
type Level = 'read' | 'usage' | 'write' | 'admin';
const ENDPOINTS: [method: string, path: string, level: Level][] = [
  ['GET', '/targets/acme', 'read'],
  ['GET', '/targets/acme/supergraph', 'read'],
  ['GET', '/targets/acme/versions', 'read'],
  ['GET', '/targets/acme/versions/1/supergraph', 'read'],
  ['GET', '/targets/acme/versions/1/api-schema', 'read'],
  ['GET', '/targets/acme/versions/1/subgraphs', 'read'],
  ['GET', '/targets/acme/diff?from=1&to=1', 'read'],
  ['GET', '/targets/acme/subgraphs', 'read'],
  ['GET', '/targets/acme/documents', 'read'],
  ['GET', '/targets/acme/documents/some-hash', 'read'],
  ['POST', '/targets/acme/usage', 'usage'],
  ['POST', '/targets/acme/subgraphs', 'write'],
  ['POST', '/targets/acme/checks', 'write'],
  ['DELETE', '/targets/acme/subgraphs/cars?dryRun=true', 'write'],
  ['POST', '/targets/acme/rollback', 'write'],
  ['POST', '/targets/acme/documents', 'write'],
  ['POST', '/targets', 'admin'],
  ['GET', '/targets', 'admin'],
  ['PATCH', '/targets/acme', 'admin'],
  ['POST', '/targets/acme/tokens', 'admin'],
  ['GET', '/targets/acme/tokens', 'admin'],
  ['DELETE', '/targets/acme/tokens/999', 'admin'],
  ['POST', '/targets/acme/webhooks', 'admin'],
  ['GET', '/targets/acme/webhooks', 'admin'],
  ['DELETE', '/targets/acme/webhooks/999', 'admin'],
  ['GET', '/targets/acme/webhooks/999/deliveries', 'admin'],
  ['GET', '/audit', 'admin'],
];
const WEAKER: Record<Level, Level | null> = { read: null, usage: 'read', write: 'usage', admin: 'write' };

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;
const tokens: Record<string, string> = {};

const call = (method: string, path: string, token?: string) =>
  fetch(`${registry.url}/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
  });

beforeAll(async () => {
  database = await createTempDatabase('registry_access');
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: ADMIN,
    targets: ['acme', 'other'],
    logger: createLogger('t', 'silent'),
  });
  for (const target of ['acme', 'other']) {
    for (const kind of ['read', 'usage', 'write']) {
      const response = await fetch(`${registry.url}/v1/targets/${target}/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify({ kind, name: `${target}-${kind}` }),
      });
      expect(response.status).toBe(201);
      tokens[`${target}:${kind}`] = (await response.json()).token;
    }
  }
  tokens['acme:admin'] = ADMIN;
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  await database?.drop();
});

describe.each(ENDPOINTS)('%s %s', (method, path, level) => {
  test(`needs ${level}`, async () => {
    const missing = await call(method, path);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('UNAUTHENTICATED');
    const wrong = await call(method, path, 'not-a-token');
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('FORBIDDEN');
    const weaker = WEAKER[level];
    if (weaker) expect((await call(method, path, tokens[`acme:${weaker}`])).status).toBe(403);
    if (level !== 'admin') expect((await call(method, path, tokens[`other:${level}`])).status).toBe(403);
    const allowed = await call(method, path, tokens[`acme:${level}`]);
    expect([401, 403]).not.toContain(allowed.status);
  });
});

test('the read key header works for reads; a revoked token stops working at once', async () => {
  const read = tokens['acme:read']!;
  expect(
    (await fetch(`${registry.url}/v1/targets/acme/subgraphs`, { headers: { 'x-registry-key': read } })).status,
  ).toBe(200);
  const list = await (await call('GET', '/targets/acme/tokens', ADMIN)).json();
  expect(list.every((t: Record<string, unknown>) => !('hash' in t) && !('token' in t))).toBe(true);
  const id = list.find((t: { name: string }) => t.name === 'acme-read').id;
  expect((await call('DELETE', `/targets/acme/tokens/${id}`, ADMIN)).status).toBe(200);
  const revoked = await call('GET', '/targets/acme/subgraphs', read);
  expect(revoked.status).toBe(403);
  expect((await revoked.json()).error.message).toContain('revoked');
});

test('an unknown target is a 404 that says how to create it; target names are validated', async () => {
  const unknown = await call('GET', '/targets/nowhere/supergraph', ADMIN);
  expect(unknown.status).toBe(404);
  expect((await unknown.json()).error).toEqual({
    code: 'TARGET_NOT_FOUND',
    message: 'No target "nowhere": create it with `autograph target:create nowhere`',
  });
  expect((await call('GET', '/targets/Not_Valid/supergraph', ADMIN)).status).toBe(400);
  const created = await fetch(`${registry.url}/v1/targets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ name: 'nowhere', usageWindowDays: 14 }),
  });
  expect(created.status).toBe(201);
  expect(await created.json()).toMatchObject({ name: 'nowhere', usageWindowDays: 14, usageThresholdPercent: 0 });
  const again = await fetch(`${registry.url}/v1/targets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ name: 'nowhere' }),
  });
  expect((await again.json()).error.code).toBe('TARGET_EXISTS');
});
