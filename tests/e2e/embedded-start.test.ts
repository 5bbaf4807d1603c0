import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorCodes, eventually, gql } from '../support/graphql';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../seed';

/**
 * The README's first command, as a new user runs it: `bun start` with no DATABASE_URL or
 * REDIS_URL, so on embedded PGlite and the in-process queue. Ports are ephemeral here so the
 * test never collides with a running system; everything else is the default.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'autograph-start-'));
let child: Bun.Subprocess<'ignore', 'pipe', 'pipe'> | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGINT');
    await child.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('bun start brings the whole system up on embedded defaults, and Ctrl-C stops it', async () => {
  const ports = ['GATEWAY', 'REGISTRY', 'CATALOG', 'OFFERS', 'USERS', 'REVIEWS', 'SEARCH'];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.REGISTRY_TOKEN;
  for (const name of ports) env[`${name}_PORT`] = '0';
  child = Bun.spawn(['bun', 'start'], { env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  const started = child;

  const decoder = new TextDecoder();
  let output = '';
  let gatewayUrl: string | undefined;
  const deadline = Date.now() + 240_000;
  const reader = started.stdout.getReader();
  while (!gatewayUrl && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    output += decoder.decode(value);
    gatewayUrl = /gateway\s+(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(output)?.[1];
  }
  reader.releaseLock();
  if (!gatewayUrl)
    throw new Error(`bun start did not come up:\n${output}\n${await new Response(started.stderr).text()}`);

  const response = await gql(
    gatewayUrl,
    `{
    offers(first: 3) { totalCount edges { node { title seller { name } model { id name make { name } rating { count } } } } }
    searchOffers(text: "toyota", first: 1) { totalCount }
  }`,
  );
  expect(response.errors).toBeUndefined();
  expect(response.data.offers.totalCount).toBeGreaterThan(10_000);
  expect(response.data.offers.edges[0].node.model.make.name.length).toBeGreaterThan(0);
  expect(response.data.searchOffers.totalCount).toBeGreaterThan(0);

  // The seeded demo account signs in: the seed writes accounts in clear, users encrypts them at start.
  const demo = await gql(
    gatewayUrl,
    'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { viewer { email } } }',
    { e: DEMO_EMAIL, p: DEMO_PASSWORD },
  );
  expect(demo.errors).toBeUndefined();
  expect(demo.data.login.viewer.email).toBe(DEMO_EMAIL);

  // A write travels the no-Redis path: offers → HTTP → search's in-process queue.
  const registered = await gql(
    gatewayUrl,
    `mutation { register(input: { email: "embedded@example.com", password: "password123", name: "E", city: "Kazan" }) { accessToken } }`,
  );
  const word = `zq${Math.random().toString(36).slice(2, 8)}`;
  const created = await gql(
    gatewayUrl,
    `mutation($modelId: ID!, $title: String!) { createOffer(input: { modelId: $modelId, title: $title, price: 100000000, year: 2020, mileageKm: 1000, city: "Kazan" }) { id } }`,
    { modelId: response.data.offers.edges[0].node.model.id, title: `Nice ${word} car` },
    { token: registered.data.register.accessToken },
  );
  expect(created.errors).toBeUndefined();
  // A poll that came too early is answered from the response cache until Query.searchOffers's TTL (5 s) ends.
  const found = await eventually(
    async () =>
      (await gql(gatewayUrl!, `{ searchOffers(text: "${word}") { offers { id } } }`)).data?.searchOffers.offers[0]?.id,
    20_000,
  );
  expect(found).toBe(created.data.createOffer.id);

  // bun start signs every subgraph request: a caller who reaches a subgraph's port directly is refused.
  for (const name of ['catalog', 'offers', 'users', 'reviews', 'search']) {
    const url = new RegExp(`${name} listening on (http://127\\.0\\.0\\.1:\\d+)`).exec(output)?.[1];
    expect(url, name).toBeDefined();
    const direct = await gql(url!, '{ __typename }');
    expect(direct.status, name).toBe(401);
    expect(errorCodes(direct), name).toEqual(['GATEWAY_SIGNATURE_REQUIRED']);
  }

  started.kill('SIGINT');
  expect(await started.exited).toBe(0);
}, 300_000);
