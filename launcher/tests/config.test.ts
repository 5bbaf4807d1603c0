import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../kit/config';
import { readLauncherEnv } from '../config';

const START = fileURLToPath(new URL('../start.ts', import.meta.url));
const SECRET = 's'.repeat(32);

const problems = (source: Record<string, string>, generate?: () => string): string => {
  try {
    readLauncherEnv(source, generate);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('bun start settles the secrets it hands its services', () => {
  test('each missing secret is generated for the run (43 characters, all different); given ones are used', () => {
    const { secrets, registryTokenGenerated } = readLauncherEnv({});
    expect(Object.values(secrets).map((s) => s.length)).toEqual([43, 43, 43]);
    expect(new Set(Object.values(secrets)).size).toBe(3);
    expect(registryTokenGenerated).toBe(true);
    const given = readLauncherEnv({
      REGISTRY_TOKEN: 'r'.repeat(32),
      INTERNAL_EVENTS_TOKEN: 'i'.repeat(32),
      GATEWAY_HMAC_SECRET: 'g'.repeat(32),
    });
    expect(given.secrets).toEqual({
      registryToken: 'r'.repeat(32),
      internalEventsToken: 'i'.repeat(32),
      gatewayHmacSecret: 'g'.repeat(32),
    });
    expect(given.registryTokenGenerated).toBe(false);
  });

  test('NODE_ENV=production refuses the development events token and short secrets, naming each', () => {
    expect(problems({ NODE_ENV: 'production', INTERNAL_EVENTS_TOKEN: 'dev-internal-token' })).toContain(
      'INTERNAL_EVENTS_TOKEN ("dev-internal-token"): is the development default',
    );
    const issues = problems({
      NODE_ENV: 'production',
      INTERNAL_EVENTS_TOKEN: 'only-16-characte',
      REGISTRY_TOKEN: 'short-token',
    });
    expect(issues).toContain(
      'INTERNAL_EVENTS_TOKEN ("only-16-characte"): must be at least 32 characters when NODE_ENV=production',
    );
    expect(issues).toContain('REGISTRY_TOKEN ("short-token"): must be at least 32 characters when NODE_ENV=production');
    // Outside production the development value still works, as the subgraphs' own default does.
    expect(readLauncherEnv({ INTERNAL_EVENTS_TOKEN: 'dev-internal-token' }).secrets.internalEventsToken).toBe(
      'dev-internal-token',
    );
    expect(readLauncherEnv({ NODE_ENV: 'production', INTERNAL_EVENTS_TOKEN: SECRET }).secrets.internalEventsToken).toBe(
      SECRET,
    );
  });

  test('a secret that is missing and cannot be generated stops the start, naming it', () => {
    const broken = () => {
      throw new Error('no entropy');
    };
    const issues = problems({ NODE_ENV: 'production', REGISTRY_TOKEN: SECRET, INTERNAL_EVENTS_TOKEN: SECRET }, broken);
    expect(issues).toBe('GATEWAY_HMAC_SECRET (unset): is not set and could not be generated: no entropy');
  });
});

describe('bun start gives up on a crash loop as configured', () => {
  test('5 crashes within 60 s by default; given values are used', () => {
    expect(readLauncherEnv({})).toMatchObject({ CRASH_LOOP_MAX_CRASHES: 5, CRASH_LOOP_WINDOW_MS: 60_000 });
    expect(readLauncherEnv({ CRASH_LOOP_MAX_CRASHES: '1', CRASH_LOOP_WINDOW_MS: '300000' })).toMatchObject({
      CRASH_LOOP_MAX_CRASHES: 1,
      CRASH_LOOP_WINDOW_MS: 300_000,
    });
  });

  test('a wrong value is refused, naming the variable', () => {
    expect(problems({ CRASH_LOOP_MAX_CRASHES: '0' })).toBe('CRASH_LOOP_MAX_CRASHES ("0"): must be at least 1');
    expect(problems({ CRASH_LOOP_MAX_CRASHES: 'five' })).toBe(
      'CRASH_LOOP_MAX_CRASHES ("five"): must be a whole number',
    );
    expect(problems({ CRASH_LOOP_WINDOW_MS: '1.5' })).toBe('CRASH_LOOP_WINDOW_MS ("1.5"): must be a whole number');
    expect(problems({ CRASH_LOOP_WINDOW_MS: '999' })).toBe('CRASH_LOOP_WINDOW_MS ("999"): must be at least 1000');
  });
});

describe('bun launcher/start.ts', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'autograph-launcher-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('NODE_ENV=production with the development events token exits 78 naming it, and starts nothing', async () => {
    const child = Bun.spawn(['bun', START], {
      env: {
        PATH: process.env.PATH!,
        HOME: process.env.HOME!,
        NODE_ENV: 'production',
        INTERNAL_EVENTS_TOKEN: 'dev-internal-token',
        DATA_DIR: dataDir,
        SEED_SCALE: 'none',
        LOG_LEVEL: 'silent',
      },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const timeout = setTimeout(() => child.kill(), 30_000);
    const code = await child.exited;
    clearTimeout(timeout);
    expect(code).toBe(78);
    expect(await new Response(child.stderr).text()).toContain(
      'INTERNAL_EVENTS_TOKEN ("dev-internal-token"): is the development default',
    );
    expect(readdirSync(dataDir)).toEqual([]); // no embedded database, no token file
  });

  test('a wrong CRASH_LOOP_WINDOW_MS exits 78 naming it, and starts nothing', async () => {
    const child = Bun.spawn(['bun', START], {
      env: {
        PATH: process.env.PATH!,
        HOME: process.env.HOME!,
        CRASH_LOOP_WINDOW_MS: '60s',
        DATA_DIR: dataDir,
        SEED_SCALE: 'none',
        LOG_LEVEL: 'silent',
      },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const timeout = setTimeout(() => child.kill(), 30_000);
    const code = await child.exited;
    clearTimeout(timeout);
    expect(code).toBe(78);
    expect(await new Response(child.stderr).text()).toContain('CRASH_LOOP_WINDOW_MS ("60s"): must be a whole number');
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
