import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { eventually } from '../../tests/support/graphql';
import { createTempDatabase } from '../../tests/support/temp-database';
import { readRegistryEnv } from '../config';
import { startRegistry } from '../server';

// Routing and webhook URLs may only point at allowed hosts, never at link-local or cloud metadata
// ones; webhooks check again after resolving the name, and connect to the address they checked.
const TOKEN = 'allowed-hosts-admin-token-0123456789abcdef';
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';
const sdl = (field: string) => `${LINK}\ntype Query { ${field}: Int }`;
const RETRY = { retries: 2, minDelayMs: 10, maxDelayMs: 20, timeoutMs: 2_000 };
/** Names only this test's "DNS" knows: one that rebinds to the metadata service, one that points at the receiver. */
const DNS: Record<string, string> = { 'hooks.rebinding.test': '169.254.169.254', 'hooks.pinned.test': '127.0.0.1' };

const received: { path: string; host: string | null }[] = [];
let receiver: ReturnType<typeof Bun.serve>;
let database: Awaited<ReturnType<typeof createTempDatabase>>;
/** Configured as production leaves it: loopback only. */
let production: RunningService;
/** Configured as development leaves it: any host, never link-local or metadata. */
let development: RunningService;

const call = (registry: RunningService, path: string, body?: unknown, method = 'POST') =>
  fetch(`${registry.url}/v1${path}`, {
    method: body === undefined && method === 'POST' ? 'GET' : method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const publish = (registry: RunningService, target: string, name: string, url: string) =>
  call(registry, `/targets/${target}/subgraphs`, { name, url, sdl: sdl(name) });
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string; details: Record<string, unknown> } }).error;

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request) {
      const path = new URL(request.url).pathname;
      received.push({ path, host: request.headers.get('host') });
      if (path === '/redirect') return Response.redirect(`http://127.0.0.1:${receiver.port}/redirected`, 307);
      return new Response('ok');
    },
  });
  database = await createTempDatabase('registry_hosts');
  const logger = createLogger('t', 'silent');
  const lookupHost = async (name: string) =>
    DNS[name] ? [{ address: DNS[name]!, family: 4 }] : Promise.reject(new Error(`getaddrinfo ENOTFOUND ${name}`));
  const productionConfig = readRegistryEnv({
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    REGISTRY_TOKEN: TOKEN,
    REGISTRY_TARGETS: 'prod',
  });
  production = await startRegistry({ ...productionConfig, port: 0, logger });
  const developmentConfig = readRegistryEnv({
    DATABASE_URL: database.url,
    REGISTRY_TOKEN: TOKEN,
    REGISTRY_TARGETS: 'dev,listed',
  });
  development = await startRegistry({ ...developmentConfig, port: 0, logger, webhookRetry: RETRY, lookupHost });
});

afterAll(async () => {
  await production?.stop();
  await development?.stop();
  receiver?.stop(true);
  await database?.drop();
});

describe('routing URLs (REGISTRY_ALLOWED_SUBGRAPH_HOSTS)', () => {
  test('production without a list: loopback is allowed, any other host is refused with 400 HOST_NOT_ALLOWED naming the host only', async () => {
    expect((await publish(production, 'prod', 'local', 'http://127.0.0.1:4001/graphql')).status).toBe(201);
    expect((await publish(production, 'prod', 'named', 'http://localhost:4002/graphql')).status).toBe(201);
    const refused = await publish(
      production,
      'prod',
      'remote',
      'https://collector.example.com:8443/graphql?key=s3cr3t',
    );
    expect(refused.status).toBe(400);
    const error = await errorOf(refused);
    expect(error).toMatchObject({
      code: 'HOST_NOT_ALLOWED',
      details: {
        host: 'collector.example.com:8443',
        reason: 'not-allowed',
        variable: 'REGISTRY_ALLOWED_SUBGRAPH_HOSTS',
      },
    });
    expect(error.message).toContain('collector.example.com:8443');
    expect(JSON.stringify(error)).not.toContain('s3cr3t');
    // A check with such a URL is refused the same way.
    expect(
      (
        await call(production, '/targets/prod/checks', {
          name: 'remote',
          url: 'http://10.0.0.7/graphql',
          sdl: sdl('remote'),
        })
      ).status,
    ).toBe(400);
  });

  test('the refusal is audited with the host, never the URL', async () => {
    const audit = (await (await call(production, '/audit?target=prod&limit=1')).json()) as {
      action: string;
      outcome: string;
      details: Record<string, unknown>;
    }[];
    expect(audit[0]).toMatchObject({
      action: 'publish',
      outcome: 'refused',
      details: { subgraph: 'remote', host: 'collector.example.com:8443' },
    });
    expect(JSON.stringify(audit)).not.toContain('s3cr3t');
  });

  test('link-local and cloud metadata hosts are refused whatever the list, in every spelling', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://0xa9fea9fe/',
      'http://[::ffff:169.254.169.254]/',
      'http://[fe80::1]:4001/graphql',
      'http://[fd00:ec2::254]/',
      'http://metadata.google.internal./computeMetadata/v1/',
    ]) {
      const response = await publish(development, 'dev', 'metadata', url);
      expect(response.status, url).toBe(400);
      expect((await errorOf(response)).details, url).toMatchObject({ reason: 'link-local-or-metadata' });
    }
    // Outside production any other host is allowed.
    expect((await publish(development, 'dev', 'remote', 'http://offers.internal:4002/graphql')).status).toBe(201);
  });

  test('a rollback or promotion cannot bring back a URL the list now refuses', async () => {
    // Published while any host was allowed (here: by the development registry on the same database) …
    const versions = (await (await call(development, '/targets/dev/versions')).json()) as { number: number }[];
    const withRemote = versions[0]!.number;
    expect((await publish(development, 'dev', 'remote', 'http://127.0.0.1:4002/graphql')).status).toBe(201);
    // … then refused by the registry that only allows loopback.
    const rollback = await call(production, '/targets/dev/rollback', { version: withRemote });
    expect(rollback.status).toBe(400);
    expect(await errorOf(rollback)).toMatchObject({
      code: 'HOST_NOT_ALLOWED',
      details: { host: 'offers.internal:4002' },
    });
    const promote = await call(production, '/targets/dev/promote', { version: withRemote, to: 'prod' });
    expect(promote.status).toBe(400);
  });

  test('a list of names, wildcards, host:port and CIDRs', async () => {
    const config = readRegistryEnv({
      DATABASE_URL: database.url,
      REGISTRY_ALLOWED_SUBGRAPH_HOSTS: '*.svc.cluster.local, offers.internal:4002, 10.0.0.0/8',
    });
    const check = (url: string) => config.allowedSubgraphHosts.check(new URL(url))?.reason ?? 'allowed';
    expect(check('http://catalog.autograph.svc.cluster.local/graphql')).toBe('allowed');
    expect(check('http://svc.cluster.local/graphql')).toBe('not-allowed');
    expect(check('http://offers.internal:4002/graphql')).toBe('allowed');
    expect(check('http://offers.internal:4003/graphql')).toBe('not-allowed');
    expect(check('http://10.20.30.40:4001/graphql')).toBe('allowed');
    expect(check('http://11.0.0.1/graphql')).toBe('not-allowed');
    expect(check('http://127.0.0.1/graphql')).toBe('not-allowed');
  });
});

describe('webhook URLs (REGISTRY_ALLOWED_WEBHOOK_HOSTS)', () => {
  const hooks = (path = '', body?: unknown, method = 'POST') =>
    call(development, `/targets/listed/webhooks${path}`, body, method);
  const deliveries = async (id: number) =>
    (await (await hooks(`/${id}/deliveries`)).json()) as {
      status: string;
      attempts: number;
      lastError: string | null;
    }[];

  test('production without a list refuses a remote receiver; metadata hosts are refused everywhere', async () => {
    const remote = await call(production, '/targets/prod/webhooks', {
      url: 'https://hooks.slack.com/services/T0/B0/s3cr3t',
    });
    expect(remote.status).toBe(400);
    const error = await errorOf(remote);
    expect(error).toMatchObject({
      code: 'HOST_NOT_ALLOWED',
      details: { host: 'hooks.slack.com', variable: 'REGISTRY_ALLOWED_WEBHOOK_HOSTS' },
    });
    expect(JSON.stringify(error)).not.toContain('s3cr3t');
    const metadata = await hooks('', { url: 'http://169.254.169.254/latest/api/token' });
    expect(metadata.status).toBe(400);
    expect((await errorOf(metadata)).details).toMatchObject({ reason: 'link-local-or-metadata' });
  });

  test('at delivery the name is resolved again: one that now points at the metadata service is refused, and nothing is sent', async () => {
    const created = await hooks('', { url: `http://hooks.rebinding.test:${receiver.port}/rebound` });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: number };
    expect((await publish(development, 'listed', 'rebinding', 'http://127.0.0.1:4001/graphql')).status).toBe(201);
    await eventually(async () => (await deliveries(hook.id))[0]?.status === 'failed', 10_000);
    const [delivery] = await deliveries(hook.id);
    expect(delivery).toMatchObject({ attempts: 1 });
    expect(delivery!.lastError).toContain(
      `refused: host hooks.rebinding.test:${receiver.port} resolves to 169.254.169.254`,
    );
    expect(received.filter((r) => r.path === '/rebound')).toHaveLength(0);
    await hooks(`/${hook.id}`, undefined, 'DELETE');
  });

  test("a delivery goes to the address that was checked, with the URL's own Host", async () => {
    const hook = (await (await hooks('', { url: `http://hooks.pinned.test:${receiver.port}/pinned` })).json()) as {
      id: number;
    };
    expect((await publish(development, 'listed', 'pinned', 'http://127.0.0.1:4001/graphql')).status).toBe(201);
    await eventually(async () => (await deliveries(hook.id))[0]?.status === 'delivered', 10_000);
    // The system resolver does not know this name: only the checked address can have been used.
    expect(received.filter((r) => r.path === '/pinned').map((r) => r.host)).toEqual([
      `hooks.pinned.test:${receiver.port}`,
    ]);
    await hooks(`/${hook.id}`, undefined, 'DELETE');
  });

  test('redirects are not followed: they could lead past every check', async () => {
    const hook = (await (await hooks('', { url: `http://127.0.0.1:${receiver.port}/redirect` })).json()) as {
      id: number;
    };
    expect((await publish(development, 'listed', 'redirect', 'http://127.0.0.1:4001/graphql')).status).toBe(201);
    await eventually(async () => (await deliveries(hook.id))[0]?.status === 'failed', 10_000);
    expect((await deliveries(hook.id))[0]).toMatchObject({
      attempts: 1,
      lastError: 'receiver answered HTTP 307; redirects are not followed',
    });
    expect(received.filter((r) => r.path === '/redirected')).toHaveLength(0);
  });
});
