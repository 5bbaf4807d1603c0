import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { readCounter } from '../../tests/support/graphql';
import { createTempDatabase } from '../../tests/support/temp-database';
import { startRegistry } from '../server';

const TOKEN = 'registry-metrics-test-token';
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';
const products = `${LINK}\ntype Product @key(fields: "id") { id: ID! name: String! }\ntype Query { product(id: ID!): Product }`;
/** Removes a field clients may use: breaking. */
const breaking = `${LINK}\ntype Product @key(fields: "id") { id: ID! }\ntype Query { product(id: ID!): Product }`;

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;

beforeAll(async () => {
  database = await createTempDatabase('registry_counters');
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: TOKEN,
    targets: ['main'],
    logger: createLogger('registry-test', 'silent'),
  });
});

afterAll(async () => {
  await registry?.stop();
  await database?.drop();
});

const call = (path: 'subgraphs' | 'checks', sdl: string) =>
  fetch(`${registry.url}/v1/targets/main/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ name: 'products', url: 'http://127.0.0.1:9/products', sdl }),
  });

/** Every label set of the registry's two counters; the counters are per process, so tests compare before and after. */
async function counts() {
  const metrics = `${registry.url}/metrics`;
  const change = (result: string) =>
    readCounter(metrics, 'autograph_registry_schema_changes_total', { action: 'publish', result });
  const check = (result: string) => readCounter(metrics, 'autograph_registry_checks_total', { result });
  return {
    published: await change('published'),
    unchanged: await change('unchanged'),
    rejected: await change('rejected'),
    refused: await change('refused'),
    passed: await check('passed'),
    failed: await check('failed'),
    checkRefused: await check('refused'),
  };
}

test('publishes and checks are counted by result on /metrics', async () => {
  const before = await counts();
  expect((await call('subgraphs', products)).status).toBe(201);
  expect((await call('subgraphs', products)).status).toBe(200);
  expect((await call('checks', products)).status).toBe(200);
  expect((await call('checks', breaking)).status).toBe(200);
  expect((await call('subgraphs', breaking)).status).toBe(409);
  expect((await call('subgraphs', 'type Query {')).status).toBe(400);
  expect((await call('checks', 'type Query {')).status).toBe(400);

  const after = await counts();
  const delta = Object.fromEntries(
    Object.entries(after).map(([key, value]) => [key, value - before[key as keyof typeof before]]),
  );
  expect(delta).toEqual({ published: 1, unchanged: 1, rejected: 1, refused: 1, passed: 1, failed: 1, checkRefused: 1 });
});
