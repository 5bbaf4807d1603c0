import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../kit/config';
import { createTempDatabase } from '../../tests/support/temp-database';
import { readRegistryEnv } from '../config';
import { DEFAULT_SCHEMA_LIMITS } from '../limits';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const LONG_TOKEN = 'a'.repeat(32);

const problems = (source: Record<string, string>): string => {
  try {
    readRegistryEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('the registry validates its environment at start, naming the variable', () => {
  test('defaults: loopback, any routing or webhook host outside production, the documented limits', () => {
    const config = readRegistryEnv({ DATABASE_URL });
    expect(config.hostname).toBe('127.0.0.1');
    expect(config.limits).toEqual(DEFAULT_SCHEMA_LIMITS);
    expect(config.allowedSubgraphHosts.entries).toEqual(['*']);
    expect(config.allowedWebhookHosts.entries).toEqual(['*']);
  });

  test('NODE_ENV=production: REGISTRY_TOKEN is required and at least 32 characters; hosts default to loopback', () => {
    expect(problems({ DATABASE_URL, NODE_ENV: 'production' })).toContain(
      'REGISTRY_TOKEN (unset): must be set when NODE_ENV=production',
    );
    expect(problems({ DATABASE_URL, NODE_ENV: 'production', REGISTRY_TOKEN: 'short-but-8-chars' })).toContain(
      'REGISTRY_TOKEN ("short-but-8-chars"): must be at least 32 characters',
    );
    const config = readRegistryEnv({ DATABASE_URL, NODE_ENV: 'production', REGISTRY_TOKEN: LONG_TOKEN });
    expect(config.allowedSubgraphHosts.entries).toEqual(['localhost', '127.0.0.0/8', '::1']);
    expect(config.allowedWebhookHosts.entries).toEqual(['localhost', '127.0.0.0/8', '::1']);
    const listed = readRegistryEnv({
      DATABASE_URL,
      NODE_ENV: 'production',
      REGISTRY_TOKEN: LONG_TOKEN,
      REGISTRY_ALLOWED_WEBHOOK_HOSTS: 'hooks.example.com',
    });
    expect(listed.allowedWebhookHosts.entries).toEqual(['hooks.example.com']);
  });

  test('wrong limits, host lists and HOST are named', () => {
    const issues = problems({
      DATABASE_URL,
      REGISTRY_MAX_SDL_BYTES: 'lots',
      REGISTRY_MAX_SDL_DEPTH: '2',
      REGISTRY_MAX_TYPES: '100000',
      REGISTRY_ALLOWED_SUBGRAPH_HOSTS: 'offers.internal, 10.0.0.0/40',
      REGISTRY_ALLOWED_WEBHOOK_HOSTS: 'http://hooks.example.com/x',
      HOST: 'not a host',
    });
    expect(issues).toContain('REGISTRY_MAX_SDL_BYTES ("lots")');
    expect(issues).toContain('REGISTRY_MAX_SDL_DEPTH ("2"): must be at least 8');
    expect(issues).toContain('REGISTRY_MAX_TYPES ("100000"): must be at most 5000');
    expect(issues).toContain(
      'REGISTRY_ALLOWED_SUBGRAPH_HOSTS ("offers.internal, 10.0.0.0/40"): "10.0.0.0/40" has an invalid prefix length',
    );
    expect(issues).toContain('REGISTRY_ALLOWED_WEBHOOK_HOSTS ("http://hooks.example.com/x")');
    expect(issues).toContain('HOST ("not a host")');
  });
});

describe('bun schema-registry/main.ts', () => {
  let database: Awaited<ReturnType<typeof createTempDatabase>>;
  beforeAll(async () => {
    database = await createTempDatabase('registry_main');
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** Runs the registry as a process; resolves with its exit, or with its URL once it listens. */
  async function run(env: Record<string, string>) {
    const child = Bun.spawn(['bun', MAIN], {
      env: {
        PATH: process.env.PATH!,
        HOME: process.env.HOME!,
        DATABASE_URL: database.url,
        REGISTRY_PORT: '0',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const reader = child.stdout.getReader();
    let output = '';
    const listening = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return null;
        output += new TextDecoder().decode(value);
        const url = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
        if (url) return url;
      }
    })();
    const timeout = setTimeout(() => child.kill(), 30_000);
    const url = await Promise.race([listening, child.exited.then(() => null)]);
    clearTimeout(timeout);
    return { child, url, stderr: () => new Response(child.stderr).text() };
  }

  test('NODE_ENV=production without REGISTRY_TOKEN: exits 78 naming it, before listening', async () => {
    const { child, url, stderr } = await run({ NODE_ENV: 'production' });
    expect(url).toBeNull();
    expect(await child.exited).toBe(78);
    expect(await stderr()).toContain('REGISTRY_TOKEN (unset): must be set when NODE_ENV=production');
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address && !address.internal && address.family === 'IPv4')?.address;

  test.skipIf(!external)('listens on loopback unless HOST says otherwise', async () => {
    for (const [env, reachable] of [
      [{}, false],
      [{ HOST: '0.0.0.0' }, true],
    ] as const) {
      const { child, url } = await run(env);
      try {
        expect(url).toStartWith('http://127.0.0.1:');
        const port = new URL(url!).port;
        expect((await fetch(`${url}/healthcheck`)).status).toBe(200);
        const outside = await fetch(`http://${external}:${port}/healthcheck`).then(
          (r) => r.status,
          () => 'refused',
        );
        expect(outside).toBe(reachable ? 200 : 'refused');
      } finally {
        child.kill();
        await child.exited;
      }
    }
  });
});
