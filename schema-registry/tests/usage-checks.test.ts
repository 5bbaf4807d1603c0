import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import catalog from '../../subgraphs/catalog';
import { startCatalog, insertMake } from '../../subgraphs/catalog/tests/fixtures';
import { printSubgraphSdl } from '../../subgraphs/framework';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { eventually, gql } from '../../tests/support/graphql';
import { readGatewayEnv } from '../../gateway/config';
import { startGateway } from '../../gateway/server';
import { publishSubgraph } from '../client';
import { startRegistry } from '../server';

// The whole loop with real parts: a gateway serves real traffic, reports the coordinates it used
// to the registry, and the registry's checks block only the breaking changes that traffic needs.
const TOKEN = 'usage-checks-admin';
const logger = createLogger('usage-checks', 'silent');
let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;
let catalogService: RunningService;
let gateway: RunningService;
const sdl = printSubgraphSdl(catalog.schema);

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${registry.url}/v1/targets/main${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...init.headers },
  });
const check = async (proposed: string) =>
  (await api('/checks', { method: 'POST', body: JSON.stringify({ name: 'catalog', sdl: proposed }) })).json();
const without = (field: RegExp) => sdl.replace(field, '');

beforeAll(async () => {
  database = await createTempDatabase('usage_checks');
  registry = await startRegistry({ port: 0, databaseUrl: database.url, adminToken: TOKEN, logger });
  catalogService = await startCatalog(database.url);
  const sql = postgres(database.url, { max: 1 });
  await insertMake(sql, 'Toyota');
  await sql.end();
  await publishSubgraph({
    registryUrl: registry.url,
    target: 'main',
    token: TOKEN,
    name: 'catalog',
    url: `${catalogService.url}/graphql`,
    sdl,
  });
  // The gateway reports with a usage token: the least a gateway needs.
  const issued = await (
    await api('/tokens', { method: 'POST', body: JSON.stringify({ kind: 'usage', name: 'gateway' }) })
  ).json();
  gateway = await startGateway(
    readGatewayEnv({
      GATEWAY_PORT: '0',
      REGISTRY_URL: registry.url,
      REGISTRY_TOKEN: issued.token,
      SUPERGRAPH_POLL_INTERVAL_MS: '60000',
      JWKS_URL: 'http://127.0.0.1:9/jwks',
      USAGE_FLUSH_INTERVAL_MS: '200',
      LOG_LEVEL: 'silent',
    }),
    logger,
  );
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await catalogService?.stop();
  await registry?.stop();
  await database?.drop();
});

test('before any traffic, every breaking change blocks: nothing can be shown unused', async () => {
  const result = await check(without(/\n\s*country: String!/));
  expect(result.ok).toBe(false);
  expect(result.report.blocking).toBe(1);
  expect(result.report.usage.summary).toContain('no usage recorded in the last 7 days');
});

test('the gateway reports real usage; a used field blocks, an unused one is safe by usage', async () => {
  for (let i = 0; i < 5; i++) {
    const response = await gql(
      gateway.url,
      'query MakeNames { makes { name country } }',
      {},
      { headers: { 'graphql-client-name': 'web' } },
    );
    expect(response.data.makes[0].name).toBe('Toyota');
  }
  await eventually(async () => (await check(sdl)).report.usage.window.requests === 5, 10_000);

  const used = await check(without(/\n\s*country: String!/));
  expect(used.ok).toBe(false);
  const removal = used.report.apiChanges.find((c: { path: string }) => c.path === 'Make.country');
  expect(removal).toMatchObject({
    level: 'breaking',
    blocking: true,
    usage: { coordinate: 'Make.country', requests: 5 },
  });
  expect(removal.usage.operations[0]).toMatchObject({ name: 'MakeNames', client: 'web', requests: 5 });

  const unused = await check(without(/\n\s*yearTo: Int/));
  expect(unused.ok).toBe(true);
  expect(unused.report.breaking).toBe(1);
  expect(unused.report.blocking).toBe(0);
  expect(unused.report.apiChanges.find((c: { path: string }) => c.path === 'Generation.yearTo')).toMatchObject({
    safeByUsage: true,
    blocking: false,
  });
  expect(unused.report.usage.summary).toMatch(/^5 requests of 1 operations from .* \(last 7 days\)/);

  // And a publish follows the same verdicts: the safe removal goes through unforced.
  const published = await api('/subgraphs', {
    method: 'POST',
    body: JSON.stringify({ name: 'catalog', url: `${catalogService.url}/graphql`, sdl: without(/\n\s*yearTo: Int/) }),
  });
  expect(published.status).toBe(201);
  expect((await published.json()).report.blocking).toBe(0);
});

test('a threshold lets rarely used coordinates go, and the window forgets old traffic', async () => {
  // 5 requests used Make.country; add 995 requests of another operation: country is 0.5 % of traffic.
  const other = {
    hash: 'other-operation-hash',
    name: 'Names',
    document: '{ makes { name } }',
    coordinates: ['Query.makes', 'Make.name'],
    client: 'ios',
    count: 995,
  };
  expect((await api('/usage', { method: 'POST', body: JSON.stringify({ operations: [other] }) })).status).toBe(202);
  expect((await check(without(/\n\s*country: String!/))).ok).toBe(false);
  await api('', { method: 'PATCH', body: JSON.stringify({ usageThresholdPercent: 1 }) });
  const lenient = await check(without(/\n\s*country: String!/));
  expect(lenient.ok).toBe(true);
  expect(lenient.report.usage.summary).toContain('more than 1% of requests');

  // Usage older than the window does not count.
  await api('', { method: 'PATCH', body: JSON.stringify({ usageThresholdPercent: 0, usageWindowDays: 1 }) });
  const sql = postgres(database.url, { max: 1 });
  await sql`update registry.usage set hour = hour - interval '3 days' where target = 'main'`;
  await sql.end();
  expect((await check(without(/\n\s*country: String!/))).report.usage.window.requests).toBe(0);
});

test('usage reports are validated and need a usage token', async () => {
  expect((await api('/usage', { method: 'POST', body: JSON.stringify({ operations: [{ hash: 'x' }] }) })).status).toBe(
    400,
  );
  const read = await (
    await api('/tokens', { method: 'POST', body: JSON.stringify({ kind: 'read', name: 'cdn' }) })
  ).json();
  const denied = await api('/usage', {
    method: 'POST',
    headers: { authorization: `Bearer ${read.token}` },
    body: JSON.stringify({ operations: [] }),
  });
  expect(denied.status).toBe(403);
  expect((await denied.json()).error.message).toContain('read token "cdn"');
});
