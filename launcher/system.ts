import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pRetry from 'p-retry';
import { SUBGRAPH_PORTS, type SubgraphName } from '../subgraphs/framework/subgraph-config';
import { createRegistryClient, RegistryError, type RegistryClient } from '../schema-registry/client';
import { publishSubgraphSchema } from '../subgraphs/publish';
import { seedDatabase } from '../seed';
import { redisTargetEnv, type RedisTarget } from '../kit/redis';
import { waitForHttp } from '../kit/service';
import { startEmbeddedPostgres } from './embedded-postgres';
import { checkPostgres, checkRedis } from './preflight';
import { FETCH_SLOTS_VARIABLE, GATEWAY_FETCH_SLOTS } from '../gateway/fetch-slots';
import { Supervisor, type CrashLoop, type RestartPolicy, type SupervisedService } from '../kit/supervisor';

export interface SystemOptions {
  /** Real PostgreSQL; unset → embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  /** Redis (REDIS_URL, and the sentinels if any) for every child; unset: in-memory stores, HTTP events. */
  redis?: RedisTarget;
  dataDir: string;
  embeddedPostgresPort: number;
  /** Secrets handed to the services; each one missing is generated for this run. */
  registryToken?: string;
  /** Offers and search: event delivery without Redis. */
  internalEventsToken?: string;
  /**
   * The gateway signs every subgraph request with it; subgraphs given it refuse unsigned ones.
   * Null: no signing (test suites and the perf lab, which call subgraphs directly or through
   * other gateways).
   */
  gatewayHmacSecret?: string | null;
  registryTarget: string;
  seedScale: 'small' | 'large' | 'none';
  ports: { gateway: number; registry: number } & Record<SubgraphName, number>;
  pollIntervalMs: number;
  logLevel: string;
  /** Extra environment for every child (e.g. JWT settings). */
  env?: Record<string, string | undefined>;
  log?: (message: string) => void;
  output?: (service: string, line: string) => void;
  /** When crashed children are restarted and when a crash loop stops the system (DEFAULT_RESTART_POLICY). */
  restart?: Partial<RestartPolicy>;
}

export interface RunningSystem {
  gatewayUrl: string;
  registryUrl: string;
  registryToken: string;
  databaseUrl: string;
  /** Current: a subgraph restarted on another port (its own was taken) is listed, and published, there. */
  subgraphUrls: Record<SubgraphName, string>;
  /**
   * Resolves when a child crashes in a loop and is no longer restarted (a single crash is restarted
   * with backoff while the others keep serving): the launcher then stops everything.
   */
  gaveUp: Promise<CrashLoop>;
  /** The supervised processes by name (`registry`, `gateway`, a subgraph's name): pids, signals, holding one down. */
  service(name: 'gateway' | 'registry' | SubgraphName): SupervisedService;
  stop(): Promise<void>;
}

/** Entry points resolve from the repository root, whatever the caller's working directory. */
const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export const DEFAULT_PORTS = { gateway: 4000, registry: 4010, ...SUBGRAPH_PORTS };

/** A secret for one run of `bun start`: 32 random bytes, base64url (43 characters). */
export const generateSecret = () => randomBytes(32).toString('base64url');

/** Each wave needs URLs of the ones before: users (JWKS, active accounts) for all, catalog for three, search for offers. */
const START_WAVES: SubgraphName[][] = [['users'], ['catalog'], ['search', 'reviews'], ['offers']];
/** Publish order in which every intermediate supergraph composes. */
const PUBLISH_ORDER: SubgraphName[] = ['catalog', 'users', 'offers', 'reviews', 'search'];
/** Who was started with a subgraph's URL in its environment (and keeps it until it restarts). */
const STARTED_WITH_URL_OF: Record<SubgraphName, string[]> = {
  users: ['catalog', 'search', 'reviews', 'offers', 'gateway'],
  catalog: ['search', 'reviews', 'offers'],
  search: ['offers'],
  reviews: [],
  offers: [],
};

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const log = options.log ?? (() => {});
  const supervisor = new Supervisor({ policy: options.restart, log, output: options.output });
  const cleanups: (() => Promise<void>)[] = [];

  const stop = async () => {
    // Reverse start order: the gateway stops taking traffic before its subgraphs go away. From
    // here on nothing is restarted, whichever child exits.
    await supervisor.stop();
    for (const cleanup of cleanups.reverse()) await cleanup();
  };

  const boot = async (): Promise<RunningSystem> => {
    if (options.databaseUrl) await checkPostgres(options.databaseUrl);
    if (options.redis) await checkRedis(options.redis);
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      log(`starting embedded PostgreSQL (PGlite) with data in ${options.dataDir}`);
      const embedded = await startEmbeddedPostgres({
        dataDir: `${options.dataDir}/pglite`,
        port: options.embeddedPostgresPort,
      });
      cleanups.push(embedded.stop);
      databaseUrl = embedded.url;
    }

    if (options.seedScale !== 'none') {
      const result = await seedDatabase(databaseUrl, { scale: options.seedScale, log });
      log(result.seeded ? `seeded (${options.seedScale}) in ${result.ms} ms` : 'data already present; not seeding');
    }

    const registryToken = options.registryToken ?? generateSecret();
    const internalEventsToken = options.internalEventsToken ?? generateSecret();
    const gatewayHmacSecret =
      options.gatewayHmacSecret === null ? undefined : (options.gatewayHmacSecret ?? generateSecret());
    const common = {
      DATABASE_URL: databaseUrl,
      ...redisTargetEnv(options.redis),
      LOG_LEVEL: options.logLevel,
      // PGlite serialises every statement: big pools only queue up.
      DB_POOL_MAX: options.databaseUrl ? undefined : '2',
      ...options.env,
    };
    const supervise = async (
      name: string,
      entry: string[],
      port: { variable: string; value: number },
      env: () => Record<string, string | undefined>,
      onMoved?: (url: string, previousUrl: string, signal: AbortSignal) => Promise<void>,
    ) => {
      const service = await supervisor.start({
        name,
        entry,
        portVariable: port.variable,
        port: port.value,
        env: () => ({ ...common, ...env() }),
        onMoved,
      });
      log(`${name} listening on ${service.url} (pid ${service.pid})`);
      return service;
    };

    const registry = await supervise(
      'registry',
      [fromRoot('schema-registry/main.ts')],
      { variable: 'REGISTRY_PORT', value: options.ports.registry },
      () => ({
        REGISTRY_TOKEN: registryToken,
        REGISTRY_TARGETS: options.registryTarget,
      }),
    );
    const urls = {} as Record<SubgraphName, string>;
    const publish = (name: SubgraphName) =>
      publishSubgraphSchema({
        name,
        url: `${urls[name]}/graphql`,
        registryUrl: registry.url,
        target: options.registryTarget,
        token: registryToken,
        author: 'launcher',
        // The code being started is the truth for this environment, even if it breaks the last schema.
        force: true,
      });

    for (const wave of START_WAVES) {
      await Promise.all(
        wave.map(async (name) => {
          // Peers' URLs as they are at each start: a restart finds a peer that moved where it is now.
          const env = () => ({
            INTERNAL_EVENTS_TOKEN: internalEventsToken,
            GATEWAY_HMAC_SECRET: gatewayHmacSecret,
            JWKS_URL: urls.users ? `${urls.users}/.well-known/jwks.json` : undefined,
            USERS_URL: urls.users ? `${urls.users}/graphql` : undefined,
            CATALOG_URL: urls.catalog ? `${urls.catalog}/graphql` : undefined,
            SEARCH_EVENTS_URL: urls.search ? `${urls.search}/events/offers` : undefined,
          });
          // Its ephemeral port taken while it was down, a subgraph comes back elsewhere: the
          // registry learns its new routing URL and the gateway follows at its next poll.
          const moved = async (url: string, previousUrl: string, signal: AbortSignal) => {
            urls[name] = url;
            const stale = STARTED_WITH_URL_OF[name];
            log(
              `${name} moved from ${previousUrl} to ${url}; publishing its new routing URL${stale.length ? ` (${stale.join(', ')} keep the old one until they restart)` : ''}`,
            );
            await pRetry(() => publish(name), { retries: 5, minTimeout: 500, signal });
            log(
              `${name}: new routing URL published to the registry (target ${options.registryTarget}); the gateway follows at its next poll`,
            );
          };
          const child = await supervise(
            name,
            [fromRoot('subgraphs/run.ts'), name],
            { variable: 'PORT', value: options.ports[name] },
            env,
            moved,
          );
          urls[name] = child.url;
        }),
      );
    }

    for (const name of PUBLISH_ORDER) await publish(name);
    log(`published ${PUBLISH_ORDER.length} subgraphs to the registry (target ${options.registryTarget})`);
    await ensurePublicContract(
      createRegistryClient({ registryUrl: registry.url, target: options.registryTarget, token: registryToken }),
    );
    log(
      `contract ${PUBLIC_CONTRACT.name} (everything not tagged internal) composed; a gateway serves it with REGISTRY_CONTRACT=${PUBLIC_CONTRACT.name}`,
    );

    const gateway = await supervise(
      'gateway',
      [fromRoot('gateway/main.ts')],
      { variable: 'GATEWAY_PORT', value: options.ports.gateway },
      () => ({
        REGISTRY_URL: registry.url,
        REGISTRY_TARGET: options.registryTarget,
        REGISTRY_TOKEN: registryToken,
        GATEWAY_HMAC_SECRET: gatewayHmacSecret,
        SUPERGRAPH_POLL_INTERVAL_MS: String(options.pollIntervalMs),
        JWKS_URL: `${urls.users}/.well-known/jwks.json`,
        // Each open subscription holds one of Bun's fetch slots (gateway/fetch-slots.ts).
        [FETCH_SLOTS_VARIABLE]: process.env[FETCH_SLOTS_VARIABLE] ?? GATEWAY_FETCH_SLOTS,
      }),
    );
    await waitForHttp(`${gateway.url}/readiness`, 60_000);

    return {
      gatewayUrl: gateway.url,
      registryUrl: registry.url,
      registryToken,
      databaseUrl,
      subgraphUrls: urls,
      gaveUp: supervisor.gaveUp,
      service: (name) => supervisor.service(name),
      stop,
    };
  };

  const booting = boot();
  booting.catch(() => {}); // when a crash loop ends the start first, what boot() still does fails quietly
  try {
    return await Promise.race([
      booting,
      supervisor.gaveUp.then((loop) => {
        throw new Error(loop.message);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The seed's schema contract: the API without what the subgraphs tag `internal` (roles, moderation, catalog edits). */
const PUBLIC_CONTRACT = { name: 'public', excludeTags: ['internal'] };

async function ensurePublicContract(registry: RegistryClient) {
  try {
    await registry.createContract(PUBLIC_CONTRACT);
  } catch (error) {
    // Kept from an earlier start (.data survives restarts): it is composed on every publish anyway.
    if (!(error instanceof RegistryError && error.code === 'CONTRACT_EXISTS')) throw error;
  }
}
