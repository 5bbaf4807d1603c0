import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { spawnService, stopChild } from '../../kit/child-process';
import { startSystem, type RunningSystem } from '../../launcher/system';
import { waitForHttp } from '../../kit/service';
import { cpuSeconds } from './cpu/processes';
import { FETCH_SLOTS_VARIABLE, GATEWAY_FETCH_SLOTS } from '../../gateway/fetch-slots';

/** Where the lab creates its database and asks PostgreSQL which backends serve it. */
export const ADMIN_URL = process.env.PERF_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface LabSystem {
  system: RunningSystem;
  redisUrl?: string;
  stop(): Promise<void>;
}

/**
 * The system under test for `--start` runs and comparisons: registry and five subgraphs on the
 * machine's PostgreSQL (database `autograph_perf`, seeded once and kept between runs so every run
 * sees the same data) and Redis. Gateways under test are started separately (`startGatewayVariant`),
 * so several configurations meet identical subgraphs and data.
 */
export async function startLabSystem(
  options: { seedScale?: 'small' | 'large'; redisUrl?: string | null; log?: (m: string) => void } = {},
): Promise<LabSystem> {
  const databaseUrl = await ensureDatabase('autograph_perf');
  const redisUrl = options.redisUrl === null ? undefined : (options.redisUrl ?? 'redis://127.0.0.1:6379');
  const system = await startSystem({
    // The peers (stock Hive Gateway, Apollo Gateway) call the subgraphs unsigned.
    gatewayHmacSecret: null,
    databaseUrl,
    redis: redisUrl ? { url: redisUrl } : undefined,
    dataDir: '/tmp/autograph-perf',
    embeddedPostgresPort: 0,
    registryTarget: 'main',
    seedScale: options.seedScale ?? 'small',
    pollIntervalMs: 10_000,
    logLevel: 'error',
    ports: { gateway: 0, registry: 0, catalog: 0, offers: 0, users: 0, reviews: 0, search: 0 },
    env: { QUEUE_PREFIX: `autograph-perf-${process.pid}`, DB_POOL_MAX: '10' },
    log: options.log,
  });
  return { system, redisUrl, stop: () => system.stop() };
}

export interface GatewayVariant {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** How the process ended: null while it runs or when a signal ended it. */
  exitCode?(): number | null;
}

/** One more gateway process on the lab's registry and subgraphs, configured by `env`. */
export async function startGatewayVariant(
  lab: LabSystem,
  env: Record<string, string | undefined> = {},
  entry?: string[],
): Promise<GatewayVariant> {
  const child = await spawnService({
    name: 'gateway-under-test',
    entry: entry ?? [fileURLToPath(new URL('../../gateway/main.ts', import.meta.url))],
    env: {
      GATEWAY_PORT: '0',
      REGISTRY_URL: lab.system.registryUrl,
      REGISTRY_TOKEN: lab.system.registryToken,
      REGISTRY_TARGET: 'main',
      JWKS_URL: `${lab.system.subgraphUrls.users}/.well-known/jwks.json`,
      REDIS_URL: lab.redisUrl,
      REDIS_KEY_PREFIX: `autograph-perf:${process.pid}:${Date.now().toString(36)}:`,
      USAGE_REPORTING: 'off',
      LOG_LEVEL: 'error',
      NODE_ENV: 'production',
      // Required in production. The gateway signs its subgraph calls as it does in production; the
      // lab's subgraphs do not check (the peers cannot sign), so every contender meets the same ones.
      GATEWAY_HMAC_SECRET: randomBytes(32).toString('base64url'),
      // Scenarios send query text and hashes alike: hashes resolve, text is served and counted.
      TRUSTED_DOCUMENTS: 'allow-arbitrary-with-log',
      // The load is one anonymous client on loopback: budgets would measure 429s, not the gateway.
      RATE_LIMIT_EXEMPT_ADDRESSES: '127.0.0.0/8,::1',
      // Each open subscription holds one of Bun's fetch slots (gateway/fetch-slots.ts).
      [FETCH_SLOTS_VARIABLE]: GATEWAY_FETCH_SLOTS,
      ...env,
    },
  });
  await waitForHttp(`${child.url}/readiness`, 60_000);
  return {
    url: child.url,
    pid: child.process.pid,
    stop: () => stopChild(child),
    exitCode: () => child.process.exitCode,
  };
}

/** CPU seconds used and resident memory of a process, from /proc (Linux). */
export function processUsage(pid: number): { cpuSec: number; rssMiB: number } | null {
  const cpuSec = cpuSeconds(pid);
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rssPages = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[21]);
    return cpuSec === null ? null : { cpuSec, rssMiB: (rssPages * 4096) / 2 ** 20 };
  } catch {
    return null;
  }
}

async function ensureDatabase(name: string): Promise<string> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`select 1 as present from pg_database where datname = ${name}`;
    if (!row) await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
