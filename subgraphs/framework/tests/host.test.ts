import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { networkInterfaces } from 'node:os';
import { ConfigError, DEFAULT_HOST, parseConfig } from '../../../kit/config';
import type { RunningService } from '../../../kit/service';
import { createTempDatabase } from '../../../tests/support/temp-database';
import catalog from '../../catalog';
import { testSubgraphConfig } from '../../catalog/tests/fixtures';
import { startSubgraph } from '../subgraph';
import { subgraphConfigSchema } from '../subgraph-config';

/** Subgraphs listen on loopback unless HOST says otherwise. */
let database: Awaited<ReturnType<typeof createTempDatabase>>;
const running: RunningService[] = [];

/** This machine's first address that is not loopback, if it has one. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && !address.internal && address.family === 'IPv4')?.address;

beforeAll(async () => {
  database = await createTempDatabase('subgraph_host');
});

afterAll(async () => {
  for (const service of running) await service.stop();
  await database?.drop();
});

async function start(host?: string) {
  const service = await startSubgraph(catalog, testSubgraphConfig(database.url, host ? { host } : {}));
  running.push(service);
  return service;
}

const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.ok,
    () => false,
  );

describe('listening address', () => {
  test("by default: loopback only, unreachable on the machine's other addresses", async () => {
    const service = await start();
    const port = new URL(service.url).port;
    expect(new URL(service.url).hostname).toBe('127.0.0.1');
    expect(await answers(`${service.url}/healthcheck`)).toBe(true);
    if (outside) expect(await answers(`http://${outside}:${port}/healthcheck`)).toBe(false);
  });

  test('HOST=0.0.0.0: every address (as in a container); its URL still names loopback', async () => {
    const service = await start('0.0.0.0');
    const port = new URL(service.url).port;
    expect(new URL(service.url).hostname).toBe('127.0.0.1');
    if (outside) expect(await answers(`http://${outside}:${port}/healthcheck`)).toBe(true);
  });

  test('HOST is validated at start', () => {
    const parse = (env: Record<string, string>) =>
      parseConfig(subgraphConfigSchema('catalog'), { DATABASE_URL: 'postgres://localhost/x', ...env });
    expect(DEFAULT_HOST).toBe('127.0.0.1');
    expect(parse({}).host).toBe('127.0.0.1');
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'catalog.internal']) expect(parse({ HOST: host }).host).toBe(host);
    expect(() => parse({ HOST: 'http://0.0.0.0' })).toThrow(ConfigError);
    expect(() => parse({ HOST: 'not a host' })).toThrow(/HOST/);
  });
});
