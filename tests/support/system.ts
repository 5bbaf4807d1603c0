import { startSystem, type RunningSystem } from '../../launcher/system';
import { createTempDatabase } from './temp-database';
import { dropKeysWithPrefix, dropSearchQueue, TEST_REDIS_URL } from './queues';

let system: Promise<RunningSystem> | undefined;
let database: Awaited<ReturnType<typeof createTempDatabase>> | undefined;
/** The run's BullMQ prefix, also the gateway's Redis key prefix: every key the run writes starts with it. */
export const queuePrefix = `autograph-e2e-${process.pid}-${Date.now()}`;

/**
 * The whole system (registry, five subgraphs and gateway as real processes) on a fresh real
 * PostgreSQL database, real Redis and ephemeral ports. Started on first use, shared by every
 * e2e file, stopped by tests/support/preload.ts.
 */
export function getSystem(): Promise<RunningSystem> {
  system ??= start();
  return system;
}

export async function stopSystem() {
  if (!system) return;
  const running = await system.catch(() => undefined);
  system = undefined;
  await running?.stop();
  await database?.drop();
  await dropSearchQueue(queuePrefix);
  // The gateway's keys share the prefix.
  await dropKeysWithPrefix(queuePrefix);
}

async function start(): Promise<RunningSystem> {
  database = await createTempDatabase('e2e');
  return startSystem({
    // Suites call subgraphs directly (and through gateways of their own): unsigned, as before.
    // That `bun start` signs is tested in tests/e2e/embedded-start.test.ts.
    gatewayHmacSecret: null,
    databaseUrl: database.url,
    // Redis on: the search index is fed through BullMQ as in production.
    redis: { url: TEST_REDIS_URL },
    dataDir: '/tmp/autograph-e2e',
    embeddedPostgresPort: 0,
    registryTarget: 'main',
    seedScale: 'small',
    pollIntervalMs: 1_000,
    logLevel: process.env.E2E_LOG_LEVEL ?? 'warn',
    ports: { gateway: 0, registry: 0, catalog: 0, offers: 0, users: 0, reviews: 0, search: 0 },
    // Peers fetch pending erasures often, so an erasure completes within a test's patience.
    env: { QUEUE_PREFIX: queuePrefix, REDIS_KEY_PREFIX: `${queuePrefix}:`, ERASURE_POLL_INTERVAL_MS: '300' },
    output: process.env.E2E_LOG_LEVEL ? (service, line) => console.log(`[${service}] ${line}`) : undefined,
  });
}
