import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { eventually } from '../../tests/support/graphql';
import { createTempDatabase } from '../../tests/support/temp-database';
import { selfSignedCertificate } from '../../tests/support/tls';
import { startRegistry } from '../server';

// A webhook URL can carry a secret in its path or query (Slack, Discord, many CI hooks do): the
// registry's logs, audit trail and delivery errors name the webhook's id and host, never the URL.
const ADMIN = 'webhook-logs-admin-token';
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';
const SECRET_PATH = 'T0000/B0000/pathsecretXYZ';
const SECRET_QUERY = 'querysecretXYZ';
const RETRY = { retries: 1, minDelayMs: 10, maxDelayMs: 20, timeoutMs: 2_000 };

const lines: string[] = [];
let receiver: ReturnType<typeof Bun.serve>;
/** HTTPS with a self-signed certificate for hooks.tls.test (skipped without openssl). */
let untrusted: ReturnType<typeof Bun.serve> | undefined;
const certificates = mkdtempSync(join(tmpdir(), 'autograph-webhook-tls-'));
let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;

const api = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${registry.url}/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  receiver = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('nope', { status: 400 }) });
  // A certificate no trust store knows: the delivery must fail its TLS check.
  const { cert, key } = selfSignedCertificate(certificates, {
    host: 'hooks.tls.test',
    altNames: 'DNS:hooks.tls.test',
  });
  untrusted = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    tls: { cert: Bun.file(cert), key: Bun.file(key) },
    fetch: () => new Response('ok'),
  });
  database = await createTempDatabase('registry_webhook_logs');
  const logger = createLogger('registry', 'debug', { write: (line: string) => void lines.push(line) });
  const lookupHost = async (name: string) => (name === 'hooks.tls.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: ADMIN,
    targets: ['logs'],
    webhookRetry: RETRY,
    logger,
    lookupHost,
  });
});

afterAll(async () => {
  await registry?.stop();
  receiver?.stop(true);
  untrusted?.stop(true);
  rmSync(certificates, { recursive: true, force: true });
  await database?.drop();
});

test('a failed delivery is logged with the webhook id and host; no log, audit entry or delivery error holds the URL', async () => {
  const failing = (await (
    await api('/targets/logs/webhooks', 'POST', {
      url: `http://127.0.0.1:${receiver.port}/services/${SECRET_PATH}?token=${SECRET_QUERY}`,
    })
  ).json()) as { id: number };
  // Nothing listens on port 9: the HTTP client's own error is recorded too.
  const unreachable = (await (
    await api('/targets/logs/webhooks', 'POST', {
      url: `http://127.0.0.1:9/services/${SECRET_PATH}?token=${SECRET_QUERY}`,
    })
  ).json()) as { id: number };
  // HTTPS to the pinned address with the URL's own TLS name; the certificate is not trusted.
  const tls =
    untrusted &&
    ((await (
      await api('/targets/logs/webhooks', 'POST', {
        url: `https://hooks.tls.test:${untrusted.port}/services/${SECRET_PATH}?token=${SECRET_QUERY}`,
      })
    ).json()) as { id: number });
  expect(
    (
      await api('/targets/logs/subgraphs', 'POST', {
        name: 'cars',
        url: 'http://127.0.0.1:4001/graphql',
        sdl: `${LINK}\ntype Query { cars: Int }`,
      })
    ).status,
  ).toBe(201);
  const hooks = tls ? [failing, unreachable, tls] : [failing, unreachable];
  for (const hook of hooks) {
    await eventually(
      async () =>
        ((await (await api(`/targets/logs/webhooks/${hook.id}/deliveries`)).json()) as { status: string }[])[0]
          ?.status === 'failed',
      10_000,
    );
  }

  const failures = lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === 'webhook delivery failed');
  const expected = [
    [failing.id, `127.0.0.1:${receiver.port}`],
    [unreachable.id, '127.0.0.1:9'],
    ...(tls ? [[tls.id, `hooks.tls.test:${untrusted!.port}`]] : []),
  ];
  expect(failures.map((entry) => [entry.webhook, entry.host]).sort()).toEqual(expected.sort());
  if (tls) expect(failures.find((entry) => entry.webhook === tls.id)?.err).toContain('certificate');

  const audit = await (await api('/audit?target=logs')).text();
  expect(JSON.parse(audit)).toContainEqual(
    expect.objectContaining({
      action: 'webhook:create',
      details: expect.objectContaining({ id: failing.id, host: `127.0.0.1:${receiver.port}` }),
    }),
  );
  const recorded = await Promise.all(
    hooks.map(async (hook) => (await api(`/targets/logs/webhooks/${hook.id}/deliveries`)).text()),
  );

  for (const text of [lines.join('\n'), audit, ...recorded]) {
    expect(text).not.toContain('pathsecretXYZ');
    expect(text).not.toContain(SECRET_QUERY);
  }
});

test('a refused webhook is logged and audited with its host only', async () => {
  const refused = await api('/targets/logs/webhooks', 'POST', {
    url: `http://169.254.169.254/services/${SECRET_PATH}?token=${SECRET_QUERY}`,
  });
  expect(refused.status).toBe(400);
  expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
    expect.objectContaining({ msg: 'webhook refused: host not allowed', host: '169.254.169.254' }),
  );
  const audit = await (await api('/audit?target=logs&limit=1')).text();
  expect(JSON.parse(audit)[0]).toMatchObject({
    action: 'webhook:create',
    outcome: 'refused',
    details: { host: '169.254.169.254' },
  });
  for (const text of [lines.join('\n'), audit, await refused.text()]) expect(text).not.toContain(SECRET_QUERY);
});
