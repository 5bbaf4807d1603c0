import { join } from 'node:path';
import pRetry from 'p-retry';
import { generateSecret, startSystem, type RunningSystem } from '../../launcher/system';
import { publishSubgraphSchema } from '../../subgraphs/publish';
import { seedDatabase } from '../../seed';
import { createRequestSource, type PreparedRequest } from '../lab/requests';
import { prepareScenario } from '../lab/setup';
import { SCENARIOS } from '../scenarios';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { startPrimary, startReplica, type PostgresServer } from './infra/postgres';
import type { Resources } from './infra/processes';
import { SENTINEL_MASTER_NAME, startRedisGroup, type RedisGroup } from './infra/redis';

/** The subgraph the latency faults slow down: its routing goes through the fault proxy. */
export const PROXIED_SUBGRAPH = 'reviews';

/**
 * The gateway's resilience settings for the suite, short enough for faults of a few seconds:
 * one subgraph call gets 2 s (a sign-up's password hashing takes over 1 s on two busy cores),
 * a request 5 s in all, an open circuit tries again after 2 s, and it may open from 5 calls on.
 *
 * The window follows from the timeout: t seconds into a hang, calls started in the last W seconds
 * are in the breaker's window and only those older than the timeout T have failed, so the error
 * rate is (t − T) / W and passes 50 % at t = T + W/2. With W = 4 s that was the end of CI's 4 s
 * fault: the circuit opened by luck or not at all. With W = 2 s it may open 3 s in, and the stall
 * faults last STALL_MIN_DURING_MS at least (tests/settings).
 */
export const CHAOS_GATEWAY_ENV = {
  SUBGRAPH_TIMEOUT_MS: '2000',
  REQUEST_DEADLINE_MS: '5000',
  CIRCUIT_RESET_MS: '2000',
  CIRCUIT_WINDOW_MS: '2000',
  CIRCUIT_VOLUME_THRESHOLD: '5',
  SUPERGRAPH_POLL_INTERVAL_MS: '1000',
};

/**
 * How long a stall fault (a hung or slow subgraph) lasts at least: the breaker may open T + W/2
 * into it, and only calls older than the timeout have failed by then. At CI's rate a few calls per
 * second reach the subgraph, some answered by the response cache instead, so the breaker gets 3 s
 * of failures past that point to see enough of them (one CI run with a 4 s fault saw 8 in all).
 */
export const STALL_MIN_DURING_MS =
  Number(CHAOS_GATEWAY_ENV.SUBGRAPH_TIMEOUT_MS) + Number(CHAOS_GATEWAY_ENV.CIRCUIT_WINDOW_MS) / 2 + 3_000;

export interface ChaosSystem {
  system: RunningSystem;
  primary: PostgresServer;
  replica: PostgresServer;
  redis: RedisGroup;
  proxy: FaultProxy;
  /** GATEWAY_HMAC_SECRET: the subgraphs refuse gateways that do not sign with it. */
  hmacSecret: string;
  /** Environment every child got (the second gateway of the SIGTERM fault gets it too). */
  env: Record<string, string>;
  /** The read mix (mixed-realistic, varied variables) and the write load (createOffer, signed in). */
  reads: () => () => PreparedRequest;
  writes: () => () => PreparedRequest;
  /** Routes a subgraph through `url` in the registry (the gateway follows at its next poll). */
  route(name: typeof PROXIED_SUBGRAPH, url: string): Promise<void>;
}

/** The mixed scenario's operations by the subgraphs they call (catalog, offers and search are always up here). */
export const TOUCHES_REVIEWS = new Set(['offer-card']);

/**
 * Everything the faults act on, all of it the suite's own: PostgreSQL primary and streaming
 * replica, Redis primary, replica and three sentinels, the registry, five subgraphs and the
 * gateway under the launcher's supervisor, and the fault proxy in front of one subgraph. The
 * children log at warn and above; `output` gets every line they print (service-logs.ts).
 */
export async function startChaosSystem(
  resources: Resources,
  log: (m: string) => void,
  output?: (service: string, line: string) => void,
): Promise<ChaosSystem> {
  log('starting PostgreSQL primary and replica, Redis with sentinels');
  const primary = await startPrimary(resources);
  const redis = await startRedisGroup(resources);
  const dataDir = resources.tempDir('system');
  const env: Record<string, string> = {
    QUEUE_PREFIX: `autograph-chaos-${process.pid}`,
    SUPERGRAPH_CACHE_FILE: join(dataDir, 'gateway-supergraph.graphql'),
    USAGE_REPORTING: 'off',
    // The rate limiter stays in the path (its headers show its Redis-down policy at work), with
    // budgets no steady load reaches; registering the load's users must not meet the sign-up limit.
    RATE_LIMIT_EXEMPT_ADDRESSES: '192.0.2.1',
    RATE_LIMIT_REQUESTS: '100000000',
    RATE_LIMIT_COST_BUDGET: '1000000000',
    RATE_LIMIT_FIELDS: '',
    ...CHAOS_GATEWAY_ENV,
  };
  // Seeded on the primary first, then copied: the replica starts with the data.
  log('seeding the primary');
  await seedDatabase(primary.url(), { scale: 'small', log });
  const replica = await startReplica(resources, primary);
  env.DATABASE_REPLICA_URLS = replica.url();
  log('starting the system on the primary and its replica');
  const hmacSecret = generateSecret();
  const system = await startSystem({
    gatewayHmacSecret: hmacSecret,
    databaseUrl: primary.url(),
    // Every child finds the primary through the sentinels, so it follows a failover.
    redis: {
      url: redis.primary.url,
      sentinel: {
        name: SENTINEL_MASTER_NAME,
        nodes: redis.sentinels.map(({ port }) => ({ host: '127.0.0.1', port })),
      },
    },
    dataDir,
    embeddedPostgresPort: 0,
    registryTarget: 'main',
    seedScale: 'none',
    pollIntervalMs: 1000,
    // Warnings too: a relay that keeps retrying or a Redis client that cannot reconnect says so
    // only at warn, and those are the lines that explain a missed goal.
    logLevel: 'warn',
    output,
    ports: { gateway: 0, registry: 0, catalog: 0, offers: 0, users: 0, reviews: 0, search: 0 },
    env,
    log,
  });
  resources.defer('stop the system', () => system.stop());

  const route = async (name: typeof PROXIED_SUBGRAPH, url: string) => {
    await publishSubgraphSchema({
      name,
      url: `${url}/graphql`,
      registryUrl: system.registryUrl,
      target: 'main',
      token: system.registryToken,
      author: 'chaos',
      force: true,
    });
  };
  log(`routing ${PROXIED_SUBGRAPH} through the fault proxy`);
  const upstream = new URL(system.subgraphUrls[PROXIED_SUBGRAPH]);
  const proxy = startFaultProxy({ host: upstream.hostname, port: Number(upstream.port) });
  resources.defer('stop the fault proxy', () => proxy.stop());
  await route(PROXIED_SUBGRAPH, proxy.url);
  await Bun.sleep(2_500); // two polls of the gateway

  const target = { gatewayUrl: system.gatewayUrl };
  const mixed = SCENARIOS['mixed-realistic']!;
  const write = SCENARIOS['write-mix']!;
  const createOffer = { ...write, users: 4, operations: write.operations.filter((o) => o.name === 'create-offer') };
  log("registering the load's users and reading its id pools");
  // Sign-ups hash passwords: on a busy machine one may still time out, so setup is retried.
  const readContext = await pRetry(() => prepareScenario(mixed, target), { retries: 3 });
  const writeContext = await pRetry(() => prepareScenario(createOffer, target), { retries: 3 });
  return {
    system,
    primary,
    replica,
    redis,
    proxy,
    hmacSecret,
    env,
    reads: () => createRequestSource(mixed, readContext),
    writes: () => createRequestSource(createOffer, writeContext),
    route,
  };
}
