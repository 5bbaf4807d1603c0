import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SUBGRAPH_PORTS, type SubgraphName } from '../subgraphs/framework/subgraph-config';
import { publishSubgraphSchema } from '../subgraphs/publish';
import { seedDatabase } from '../seed';
import { waitForHttp } from '../kit/service';
import { spawnService, stopChild, type Child } from './children';
import { startEmbeddedPostgres } from './embedded-postgres';
import { checkPostgres, checkRedis } from './preflight';

export interface SystemOptions {
  /** Real PostgreSQL; unset → embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  redisUrl?: string;
  dataDir: string;
  embeddedPostgresPort: number;
  registryToken?: string;
  registryTarget: string;
  seedScale: 'small' | 'large' | 'none';
  ports: { gateway: number; registry: number } & Record<SubgraphName, number>;
  pollIntervalMs: number;
  logLevel: string;
  /** Extra environment for every child (e.g. JWT settings). */
  env?: Record<string, string | undefined>;
  log?: (message: string) => void;
  output?: (service: string, line: string) => void;
}

export interface RunningSystem {
  gatewayUrl: string;
  registryUrl: string;
  registryToken: string;
  databaseUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** Resolves when any child exits on its own (a crash): the launcher then stops everything. */
  crashed: Promise<{ service: string; code: number | null }>;
  stop(): Promise<void>;
}

/** Entry points resolve from the repository root, whatever the caller's working directory. */
const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export const DEFAULT_PORTS = { gateway: 4000, registry: 4010, ...SUBGRAPH_PORTS };

/** Each wave needs URLs of the ones before: users (JWKS) for all, catalog for three, search for offers. */
const START_WAVES: SubgraphName[][] = [['users'], ['catalog'], ['search', 'reviews'], ['offers']];
/** Publish order in which every intermediate supergraph composes. */
const PUBLISH_ORDER: SubgraphName[] = ['catalog', 'users', 'offers', 'reviews', 'search'];

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const log = options.log ?? (() => {});
  const children: Child[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let stopping = false;
  let reportCrash: (crash: { service: string; code: number | null }) => void = () => {};
  const crashed = new Promise<{ service: string; code: number | null }>((resolve) => (reportCrash = resolve));

  const stop = async () => {
    stopping = true;
    // Reverse start order: the gateway stops taking traffic before its subgraphs go away.
    for (const child of [...children].reverse()) await stopChild(child);
    for (const cleanup of cleanups.reverse()) await cleanup();
  };

  try {
    if (options.databaseUrl) await checkPostgres(options.databaseUrl);
    if (options.redisUrl) await checkRedis(options.redisUrl);
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      log(`starting embedded PostgreSQL (PGlite) with data in ${options.dataDir}`);
      const embedded = await startEmbeddedPostgres({ dataDir: `${options.dataDir}/pglite`, port: options.embeddedPostgresPort });
      cleanups.push(embedded.stop);
      databaseUrl = embedded.url;
    }

    if (options.seedScale !== 'none') {
      const result = await seedDatabase(databaseUrl, { scale: options.seedScale, log });
      log(result.seeded ? `seeded (${options.seedScale}) in ${result.ms} ms` : 'data already present; not seeding');
    }

    const registryToken = options.registryToken ?? randomBytes(24).toString('base64url');
    const internalEventsToken = randomBytes(24).toString('base64url');
    const common = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: options.redisUrl,
      LOG_LEVEL: options.logLevel,
      // PGlite serialises every statement: big pools only queue up.
      DB_POOL_MAX: options.databaseUrl ? undefined : '2',
      INTERNAL_EVENTS_TOKEN: internalEventsToken,
      ...options.env,
    };
    const spawn = (name: string, entry: string[], env: Record<string, string | undefined>) =>
      spawnService({
        name,
        entry,
        env: { ...common, ...env },
        output: options.output,
        onExit: (service, code) => {
          if (!stopping) reportCrash({ service, code });
        },
      }).then((child) => {
        children.push(child);
        log(`${name} listening on ${child.url}`);
        return child;
      });

    const registry = await spawn('registry', [fromRoot('schema-registry/main.ts')], {
      REGISTRY_PORT: String(options.ports.registry),
      REGISTRY_TOKEN: registryToken,
      REGISTRY_TARGETS: options.registryTarget,
    });

    const urls = {} as Record<SubgraphName, string>;
    for (const wave of START_WAVES) {
      await Promise.all(
        wave.map(async (name) => {
          const child = await spawn(name, [fromRoot('subgraphs/run.ts'), name], {
            PORT: String(options.ports[name]),
            JWKS_URL: urls.users ? `${urls.users}/.well-known/jwks.json` : undefined,
            CATALOG_URL: urls.catalog ? `${urls.catalog}/graphql` : undefined,
            SEARCH_EVENTS_URL: urls.search ? `${urls.search}/events/offers` : undefined,
          });
          urls[name] = child.url;
        }),
      );
    }

    for (const name of PUBLISH_ORDER) {
      await publishSubgraphSchema({
        name,
        url: `${urls[name]}/graphql`,
        registryUrl: registry.url,
        target: options.registryTarget,
        token: registryToken,
        author: 'launcher',
        // The code being started is the truth for this environment, even if it breaks the last schema.
        force: true,
      });
    }
    log(`published ${PUBLISH_ORDER.length} subgraphs to the registry (target ${options.registryTarget})`);

    const gateway = await spawn('gateway', [fromRoot('gateway/main.ts')], {
      GATEWAY_PORT: String(options.ports.gateway),
      REGISTRY_URL: registry.url,
      REGISTRY_TARGET: options.registryTarget,
      REGISTRY_TOKEN: registryToken,
      SUPERGRAPH_POLL_INTERVAL_MS: String(options.pollIntervalMs),
      JWKS_URL: `${urls.users}/.well-known/jwks.json`,
    });
    await waitForHttp(`${gateway.url}/readiness`, 60_000);

    return {
      gatewayUrl: gateway.url,
      registryUrl: registry.url,
      registryToken,
      databaseUrl,
      subgraphUrls: urls,
      crashed,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
