import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import catalog from '../../subgraphs/catalog';
import { printSubgraphSdl, startSubgraph } from '../../subgraphs/framework';
import { startRegistry } from '../../schema-registry/server';
import { publishSubgraph } from '../../schema-registry/client';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { createTestIssuer } from '../../tests/support/tokens';
import { errorCodes, eventually, gql } from '../../tests/support/graphql';
import { readGatewayEnv, type GatewayOptions } from '../config';
import { startGateway } from '../server';
import { registryGatewayOptions } from './registry-gateway';

const logger = createLogger('gateway-test', 'silent');
const TOKEN = 'gateway-test-admin-token';
let database: Awaited<ReturnType<typeof createTempDatabase>>;
let issuer: Awaited<ReturnType<typeof createTestIssuer>>;
let registry: RunningService;
let catalogService: RunningService;
const running: RunningService[] = [];

const gatewayOptions = (target: string, env: Record<string, string> = {}): GatewayOptions =>
  registryGatewayOptions({ url: registry.url, token: TOKEN, target }, issuer, env);

async function gateway(target: string, env: Record<string, string> = {}) {
  const service = await startGateway(gatewayOptions(target, env), logger);
  running.push(service);
  return service;
}

beforeAll(async () => {
  database = await createTempDatabase('gateway');
  issuer = await createTestIssuer();
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: TOKEN,
    targets: ['main', 'empty-target'],
    logger,
  });
  catalogService = await startSubgraph(
    catalog,
    {
      port: 0,
      databaseUrl: database.url,
      replicaUrls: [],
      poolMax: 2,
      redis: undefined,
      jwksUrl: issuer.jwksUrl,
      jwtIssuer: issuer.issuer,
      jwtAudience: issuer.audience,
      logLevel: 'silent',
    },
    { logger },
  );
  const sql = (await import('postgres')).default(database.url, { max: 1 });
  await sql`insert into catalog.makes (name, country) values ('Lada', 'Russia'), ('Toyota', 'Japan')`;
  await sql.end();
  await publishSubgraph({
    registryUrl: registry.url,
    target: 'main',
    token: TOKEN,
    name: 'catalog',
    url: `${catalogService.url}/graphql`,
    sdl: printSubgraphSdl(catalog.schema),
  });
}, 60_000);

afterAll(async () => {
  for (const service of running) await service.stop();
  await catalogService?.stop();
  await registry?.stop().catch(() => {});
  issuer?.stop();
  await database?.drop();
});

describe('gateway', () => {
  test('serves the supergraph from the registry and is ready', async () => {
    const gw = await gateway('main');
    await eventually(async () => (await fetch(`${gw.url}/readiness`)).ok, 10_000);
    const response = await gql(gw.url, '{ makes { name country } }');
    expect(response.data).toEqual({
      makes: [
        { name: 'Lada', country: 'Russia' },
        { name: 'Toyota', country: 'Japan' },
      ],
    });
  });

  test('answers HTTP/1.0 probes without a Host header (load balancer health checks), as do the registry and subgraphs', async () => {
    const gw = await gateway('main');
    await eventually(async () => (await fetch(`${gw.url}/readiness`)).ok, 10_000);
    for (const url of [gw.url, registry.url, catalogService.url])
      for (const path of ['/readiness', '/healthcheck'])
        expect(`${path} ${await http10StatusLine(url, path)}`).toBe(`${path} HTTP/1.1 200 OK`);
  });

  test('is not ready while its target has no supergraph', async () => {
    const gw = await gateway('empty-target');
    expect((await fetch(`${gw.url}/healthcheck`)).status).toBe(200);
    await Bun.sleep(700);
    expect((await fetch(`${gw.url}/readiness`)).status).not.toBe(200);
  });

  test('rejects forged and malformed tokens with a code; accepts valid ones', async () => {
    const gw = await gateway('main');
    await eventually(async () => (await fetch(`${gw.url}/readiness`)).ok, 10_000);
    const valid = await gql(
      gw.url,
      '{ makes { name } }',
      {},
      { token: await issuer.sign('00000000-0000-4000-8000-000000000001') },
    );
    expect(valid.errors).toBeUndefined();

    const forger = await createTestIssuer();
    const forged = await gql(
      gw.url,
      '{ makes { name } }',
      {},
      { token: await forger.sign('00000000-0000-4000-8000-000000000001') },
    );
    forger.stop();
    // Same kid, different key: the signature does not verify.
    expect(forged.status).toBe(401);
    expect(errorCodes(forged)).toEqual(['UNAUTHENTICATED']);

    const stranger = await createTestIssuer({ kid: 'unknown-key' });
    const unknownKey = await gql(
      gw.url,
      '{ makes { name } }',
      {},
      { token: await stranger.sign('00000000-0000-4000-8000-000000000001') },
    );
    stranger.stop();
    // A key we never published.
    expect(unknownKey.status).toBe(401);
    expect(errorCodes(unknownKey)).toEqual(['UNAUTHENTICATED']);

    const malformed = await gql(gw.url, '{ makes { name } }', {}, { token: 'not-a-jwt' });
    expect(malformed.data).toBeUndefined();
    expect(errorCodes(malformed)[0]).toMatch(/BAD_REQUEST|UNAUTHENTICATED/);
  });

  test('picks up a publish within the polling interval, with no failed request under load', async () => {
    const gw = await gateway('main');
    await eventually(async () => (await fetch(`${gw.url}/readiness`)).ok, 10_000);
    const fields = async () =>
      (await gql(gw.url, '{ __type(name: "Make") { fields { name } } }')).data.__type.fields.map(
        (f: { name: string }) => f.name,
      );
    expect(await fields()).not.toContain('slogan');

    let stop = false;
    const failures: unknown[] = [];
    let served = 0;
    const load = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const response = await gql(gw.url, '{ makes { name country } }').catch(
          (error) => ({ errors: [error] }) as never,
        );
        if (response.errors || response.data?.makes?.length !== 2) failures.push(response.errors ?? response.data);
        served++;
      }
    });
    await Bun.sleep(300);
    const sdl = printSubgraphSdl(catalog.schema).replace(
      /type Make\s*@key\(fields: "id"\)\s*\{/,
      (head) => `${head}\n  slogan: String`,
    );
    const published = Date.now();
    await publishSubgraph({
      registryUrl: registry.url,
      target: 'main',
      token: TOKEN,
      name: 'catalog',
      url: `${catalogService.url}/graphql`,
      sdl,
    });
    await eventually(async () => (await fields()).includes('slogan'), 5_000, 50);
    const pickedUpMs = Date.now() - published;
    await Bun.sleep(300);
    stop = true;
    await Promise.all(load);

    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(50);
    expect(pickedUpMs).toBeLessThan(2 * 500 + 1_000); // two polling intervals plus reload
  });

  test('keeps serving its last good supergraph while the registry is down; one started then serves the copy it kept on disk', async () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), 'autograph-gateway-')), 'supergraph.graphql');
    const gw = await gateway('main', { SUPERGRAPH_CACHE_FILE: cacheFile });
    await eventually(async () => (await fetch(`${gw.url}/readiness`)).ok, 10_000);
    await registry.stop();
    await Bun.sleep(1_500); // several failed polls
    const response = await gql(gw.url, '{ makes { name } }');
    expect(response.errors).toBeUndefined();
    expect(response.data.makes).toHaveLength(2);
    expect((await fetch(`${gw.url}/readiness`)).status).toBe(200);

    // A gateway (re)started during the outage: no registry, only the copy on disk.
    expect(readFileSync(cacheFile, 'utf8')).toContain('join__');
    const restarted = await gateway('main', { SUPERGRAPH_CACHE_FILE: cacheFile });
    // The first readiness probe loads the supergraph; from then on it says where it came from.
    await eventually(async () => (await fetch(`${restarted.url}/readiness`)).ok, 10_000);
    const readiness = await fetch(`${restarted.url}/readiness`);
    expect(readiness.status).toBe(200);
    expect((await readiness.json()).supergraph).toMatchObject({ from: 'cache-file', file: cacheFile });
    const fromDisk = await gql(restarted.url, '{ makes { name } }');
    expect(fromDisk.errors).toBeUndefined();
    expect(fromDisk.data.makes).toHaveLength(2);
    // Without a copy there is nothing to serve: the gateway does not pretend to be ready.
    await expect(
      gateway('main', { SUPERGRAPH_CACHE_FILE: join(dirname(cacheFile), 'missing.graphql') })
        .then((service) => fetch(`${service.url}/readiness`))
        .then((r) => r.status),
    ).resolves.not.toBe(200);
  });
});

/** The status line a bare `GET <path> HTTP/1.0` (no Host header, as HAProxy's default check sends) gets. */
async function http10StatusLine(baseUrl: string, path: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  const { promise, resolve, reject } = Promise.withResolvers<string>();
  let received = '';
  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data(_, chunk) {
        received += chunk.toString();
        if (received.includes('\r\n')) resolve(received.split('\r\n')[0]!);
      },
      close: () => resolve(received.split('\r\n')[0] ?? ''),
      error: (_, error) => reject(error),
    },
  });
  socket.write(`GET ${path} HTTP/1.0\r\n\r\n`);
  try {
    return await promise;
  } finally {
    socket.end();
  }
}
