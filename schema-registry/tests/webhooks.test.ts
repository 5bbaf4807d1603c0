import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { eventually } from '../../tests/support/graphql';
import { startRegistry } from '../server';
import { signWebhook } from '../webhooks';

// Webhooks against a real local receiver: signed, retried with backoff on failures worth
// retrying, given up at once on a rejection, recorded per delivery, and resumed after a restart.
const ADMIN = 'webhooks-admin';
const SECRET = 'a-webhook-signing-secret';
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';
const RETRY = { retries: 3, minDelayMs: 20, maxDelayMs: 100, timeoutMs: 2_000 };

interface Received {
  path: string;
  event: string;
  body: string;
  headers: Headers;
}
const received: Received[] = [];
let flakyFailures = 2;
let receiver: ReturnType<typeof Bun.serve>;
let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;

const api = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${registry.url}/v1/targets/hooks${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const arrivals = (path: string, event: string) => received.filter((r) => r.path === path && r.event === event);

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      received.push({
        path,
        event: request.headers.get('x-autograph-event') ?? '',
        body: await request.text(),
        headers: request.headers,
      });
      if (path === '/flaky' && flakyFailures-- > 0) return new Response('busy', { status: 503 });
      if (path === '/rejects') return new Response('no', { status: 400 });
      return new Response('ok');
    },
  });
  database = await createTempDatabase('registry_webhooks');
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: ADMIN,
    targets: ['hooks'],
    webhookRetry: RETRY,
    logger: createLogger('t', 'silent'),
  });
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  receiver?.stop(true);
  await database?.drop();
});

test('a new version is POSTed, HMAC-signed, retried with backoff until the receiver takes it', async () => {
  const flaky = await (await api('/webhooks', 'POST', { url: `${receiver.url}flaky`, secret: SECRET })).json();
  expect(flaky.events).toEqual(['version.published', 'check.failed']);
  const rejecting = await (
    await api('/webhooks', 'POST', { url: `${receiver.url}rejects`, events: ['version.published'], secret: SECRET })
  ).json();

  const sdl = `${LINK}\ntype Query { cars: [String!]! }`;
  expect(
    (await api('/subgraphs', 'POST', { name: 'cars', url: 'http://cars/graphql', sdl, author: 'ana' })).status,
  ).toBe(201);

  await eventually(
    async () => (await (await api(`/webhooks/${flaky.id}/deliveries`)).json())[0]?.status === 'delivered',
    10_000,
  );
  const [delivery] = await (await api(`/webhooks/${flaky.id}/deliveries`)).json();
  expect(delivery).toMatchObject({ event: 'version.published', status: 'delivered', attempts: 3, lastError: null });
  const attempts = arrivals('/flaky', 'version.published');
  expect(attempts).toHaveLength(3);
  const last = attempts.at(-1)!;
  expect(last.headers.get('x-autograph-signature')).toBe(
    signWebhook(SECRET, last.headers.get('x-autograph-timestamp')!, last.body),
  );
  expect(last.headers.get('x-autograph-delivery')).toBe(String(delivery.id));
  expect(JSON.parse(last.body)).toMatchObject({
    event: 'version.published',
    target: 'hooks',
    data: { action: 'publish', version: 1, subgraph: 'cars', author: 'ana' },
  });

  // A 4xx other than 408/429 means the receiver will never take it: no retries.
  await eventually(
    async () => (await (await api(`/webhooks/${rejecting.id}/deliveries`)).json())[0]?.status === 'failed',
    10_000,
  );
  expect((await (await api(`/webhooks/${rejecting.id}/deliveries`)).json())[0]).toMatchObject({
    attempts: 1,
    lastError: 'receiver answered HTTP 400',
  });
  expect(arrivals('/rejects', 'version.published')).toHaveLength(1);
});

test('a failed check goes only to webhooks that subscribed to it', async () => {
  const broken = `${LINK}\ntype Query { cars: [Int!]! }\ntype Car @key(fields: "nope") { id: ID! }`;
  const check = await (await api('/checks', 'POST', { name: 'cars', sdl: broken })).json();
  expect(check.ok).toBe(false);
  await eventually(async () => arrivals('/flaky', 'check.failed').length === 1, 10_000);
  const payload = JSON.parse(arrivals('/flaky', 'check.failed')[0]!.body);
  expect(payload.data).toMatchObject({ action: 'check', subgraph: 'cars', report: { composition: { ok: false } } });
  expect(payload.data.report.composition.errors[0]).toMatchObject({
    code: 'KEY_INVALID_FIELDS',
    subgraphs: ['cars'],
    coordinate: 'Car',
  });
  expect(arrivals('/rejects', 'check.failed')).toHaveLength(0);
});

test('deliveries left pending by a stopped registry are sent when one starts again', async () => {
  const hooks = await (await api('/webhooks')).json();
  const flaky = hooks.find((h: { url: string }) => h.url.endsWith('/flaky'));
  const sql = postgres(database.url, { max: 1 });
  await sql`insert into registry.webhook_deliveries (webhook_id, event, payload) values (${flaky.id}, 'version.published', ${sql.json({ version: 99 })})`;
  await sql.end();
  const second = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: ADMIN,
    targets: [],
    webhookRetry: RETRY,
    logger: createLogger('t', 'silent'),
  });
  try {
    await eventually(
      async () => arrivals('/flaky', 'version.published').some((r) => JSON.parse(r.body).data.version === 99),
      10_000,
    );
  } finally {
    await second.stop();
  }
});
