/**
 * `bun start`: the whole system on one machine. Without DATABASE_URL it runs on an embedded
 * PostgreSQL (PGlite, data under DATA_DIR); with it, on that server. A service that crashes is
 * restarted with backoff while the others keep serving; one that crashes in a loop
 * (CRASH_LOOP_MAX_CRASHES within CRASH_LOOP_WINDOW_MS) stops everything with exit code 1.
 * Ctrl-C stops everything.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../kit/config';
import { redisTarget } from '../kit/redis';
import { readLauncherEnv, type LauncherConfig } from './config';
import { stopOnSignalOrCrashLoop } from './shutdown';
import { startSystem } from './system';

let config: LauncherConfig;
try {
  config = readLauncherEnv();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`[start] ${error.message}`);
  process.exit(78);
}

const say = (message: string) => console.log(`[start] ${message}`);
const quiet = config.LOG_LEVEL === 'silent';

const system = await startSystem({
  databaseUrl: config.DATABASE_URL,
  redis: redisTarget(config),
  dataDir: config.DATA_DIR,
  embeddedPostgresPort: config.EMBEDDED_POSTGRES_PORT,
  registryToken: config.secrets.registryToken,
  internalEventsToken: config.secrets.internalEventsToken,
  gatewayHmacSecret: config.secrets.gatewayHmacSecret,
  registryTarget: config.REGISTRY_TARGET,
  seedScale: config.SEED_SCALE,
  pollIntervalMs: config.SUPERGRAPH_POLL_INTERVAL_MS,
  logLevel: config.LOG_LEVEL,
  ports: {
    gateway: config.GATEWAY_PORT,
    registry: config.REGISTRY_PORT,
    catalog: config.CATALOG_PORT,
    offers: config.OFFERS_PORT,
    users: config.USERS_PORT,
    reviews: config.REVIEWS_PORT,
    search: config.SEARCH_PORT,
  },
  restart: { maxCrashes: config.CRASH_LOOP_MAX_CRASHES, crashWindowMs: config.CRASH_LOOP_WINDOW_MS },
  log: say,
  output: quiet ? undefined : (service, line) => console.log(`[${service}] ${line}`),
}).catch((error: Error) => {
  console.error(`[start] failed: ${error.message}`);
  process.exit(1);
});

if (config.registryTokenGenerated) {
  // A generated admin token for this run, readable by the CLI and by you.
  mkdirSync(config.DATA_DIR, { recursive: true });
  const file = `${config.DATA_DIR}/registry-token`;
  writeFileSync(file, `${system.registryToken}\n`);
  chmodSync(file, 0o600);
  say(`registry admin token written to ${file}`);
}

console.log(`
Autograph is up.
  gateway     ${system.gatewayUrl}/graphql   (health ${system.gatewayUrl}/healthcheck, readiness ${system.gatewayUrl}/readiness)
  registry    ${system.registryUrl}
${Object.entries(system.subgraphUrls)
  .map(([name, url]) => `  ${name.padEnd(11)} ${url}/graphql`)
  .join('\n')}
  postgres    ${config.DATABASE_URL ? 'DATABASE_URL' : `${system.databaseUrl} (embedded PGlite, data in ${config.DATA_DIR}/pglite)`}
  cache       ${config.REDIS_SENTINELS ? 'REDIS_SENTINELS' : config.REDIS_URL ? 'REDIS_URL' : 'in-memory (set REDIS_URL for Redis)'}
Try: curl -s ${system.gatewayUrl}/graphql -H 'content-type: application/json' -d '{"query":"{ offers(first: 3) { edges { node { title price seller { name } model { name make { name } rating { average } } } } } }"}'
A crashed service is restarted; Ctrl-C stops everything.
`);

stopOnSignalOrCrashLoop(system, {
  say,
  fail: (message) => console.error(`[start] ${message}`),
  crashLoopHint: `CRASH_LOOP_MAX_CRASHES=${config.CRASH_LOOP_MAX_CRASHES} crashes of one service within CRASH_LOOP_WINDOW_MS=${config.CRASH_LOOP_WINDOW_MS} stop the system`,
});
