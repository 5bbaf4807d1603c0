/**
 * `bun start`: the whole system on one machine. Without DATABASE_URL it runs on an embedded
 * PostgreSQL (PGlite, data under DATA_DIR); with it, on that server. Ctrl-C stops everything.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { env, loadConfigOrExit } from '../kit/config';
import { targetName } from '../schema-registry/names';
import { DEFAULT_PORTS, startSystem } from './system';

const config = loadConfigOrExit(
  'start',
  z.object({
    DATABASE_URL: env.postgresUrl().optional(),
    REDIS_URL: env.redisUrl().optional(),
    REGISTRY_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
    REGISTRY_TARGET: targetName.default('main'),
    DATA_DIR: z.string().min(1).default('.data'),
    EMBEDDED_POSTGRES_PORT: env.port(0),
    SEED_SCALE: z.enum(['small', 'large', 'none']).default('small'),
    SUPERGRAPH_POLL_INTERVAL_MS: z.coerce.number().int().min(500).default(10_000),
    GATEWAY_PORT: env.port(DEFAULT_PORTS.gateway),
    REGISTRY_PORT: env.port(DEFAULT_PORTS.registry),
    CATALOG_PORT: env.port(DEFAULT_PORTS.catalog),
    OFFERS_PORT: env.port(DEFAULT_PORTS.offers),
    USERS_PORT: env.port(DEFAULT_PORTS.users),
    REVIEWS_PORT: env.port(DEFAULT_PORTS.reviews),
    SEARCH_PORT: env.port(DEFAULT_PORTS.search),
    LOG_LEVEL: env.logLevel(),
  }),
);

const say = (message: string) => console.log(`[start] ${message}`);
const quiet = config.LOG_LEVEL === 'silent';

const system = await startSystem({
  databaseUrl: config.DATABASE_URL,
  redisUrl: config.REDIS_URL,
  dataDir: config.DATA_DIR,
  embeddedPostgresPort: config.EMBEDDED_POSTGRES_PORT,
  registryToken: config.REGISTRY_TOKEN,
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
  log: say,
  output: quiet ? undefined : (service, line) => console.log(`[${service}] ${line}`),
}).catch((error: Error) => {
  console.error(`[start] failed: ${error.message}`);
  process.exit(1);
});

if (!config.REGISTRY_TOKEN) {
  // A generated admin token for this run, readable by the CLI and by you.
  mkdirSync(config.DATA_DIR, { recursive: true });
  const file = `${config.DATA_DIR}/registry-token`;
  writeFileSync(file, system.registryToken + '\n');
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
  cache       ${config.REDIS_URL ? 'REDIS_URL' : 'in-memory (set REDIS_URL for Redis)'}
Try: curl -s ${system.gatewayUrl}/graphql -H 'content-type: application/json' -d '{"query":"{ offers(first: 3) { edges { node { title price seller { name } model { name make { name } rating { average } } } } } }"}'
Ctrl-C stops everything.
`);

let shuttingDown = false;
async function shutdown(code: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  say('stopping…');
  await system.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
system.crashed.then(({ service, code }) => {
  console.error(`[start] ${service} exited unexpectedly (code ${code}); stopping everything`);
  void shutdown(1);
});
