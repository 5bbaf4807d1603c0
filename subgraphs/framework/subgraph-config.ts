import { z } from 'zod';
import { env, loadConfigOrExit } from '../../kit/config';
import { redisEnv, redisTarget } from '../../kit/redis';
import { DEFAULT_SUBGRAPH_QUERY_LIMITS, type SubgraphQueryLimits } from './limits';

export const SUBGRAPH_PORTS = { catalog: 4001, offers: 4002, users: 4003, reviews: 4004, search: 4005 } as const;
export type SubgraphName = keyof typeof SUBGRAPH_PORTS;

/** Where peers ask the users subgraph whether an account is still active. */
export const DEFAULT_USERS_URL = `http://127.0.0.1:${SUBGRAPH_PORTS.users}/graphql`;

/** A query limit: a whole number, 0 for off. */
const limit = (fallback: number) =>
  z.coerce.number().int().min(0, 'must be 0 (off) or a positive whole number').default(fallback);

/**
 * Environment shared by all subgraphs. `<NAME>_DATABASE_URL` (e.g. OFFERS_DATABASE_URL) lets
 * one subgraph move to its own database without touching the others.
 */
export function subgraphConfigSchema(name: SubgraphName) {
  const override = `${name.toUpperCase()}_DATABASE_URL`;
  const postgresList = z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(env.postgresUrl()));
  return z
    .object({
      PORT: env.port(SUBGRAPH_PORTS[name]),
      /** Address to listen on: loopback (DEFAULT_HOST) unless set; `0.0.0.0` (or `::`) in containers. */
      HOST: env.host(),
      DATABASE_URL: env.postgresUrl(),
      DATABASE_REPLICA_URLS: postgresList,
      DB_POOL_MAX: env.positiveInt(5),
      /** Named prepared statements for hot queries; off behind a pooler in transaction mode (kit/db.ts). */
      DB_PREPARE: z.enum(['on', 'off']).default('on'),
      JWKS_URL: env.url().default(`http://127.0.0.1:${SUBGRAPH_PORTS.users}/.well-known/jwks.json`),
      JWT_ISSUER: z.string().min(1).default('autograph'),
      JWT_AUDIENCE: z.string().min(1).default('autograph-api'),
      /** The users subgraph, asked whether the account behind a write still exists and is active. */
      USERS_URL: env.url().default(DEFAULT_USERS_URL),
      SUBGRAPH_MAX_DEPTH: limit(DEFAULT_SUBGRAPH_QUERY_LIMITS.maxDepth),
      SUBGRAPH_MAX_ALIASES: limit(DEFAULT_SUBGRAPH_QUERY_LIMITS.maxAliases),
      SUBGRAPH_MAX_TOKENS: limit(DEFAULT_SUBGRAPH_QUERY_LIMITS.maxTokens),
      SUBGRAPH_MAX_DIRECTIVES: limit(DEFAULT_SUBGRAPH_QUERY_LIMITS.maxDirectives),
      SUBGRAPH_MAX_COST: limit(DEFAULT_SUBGRAPH_QUERY_LIMITS.maxCost),
      SUBGRAPH_MAX_REPRESENTATIONS: limit(DEFAULT_SUBGRAPH_QUERY_LIMITS.maxRepresentations),
      LOG_LEVEL: env.logLevel(),
      /**
       * Shared with the gateway: when set, /graphql serves only requests the gateway signed with it
       * (see createGatewaySignatureGate in auth.ts). Unset: any caller may query the subgraph directly.
       */
      GATEWAY_HMAC_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    })
    .and(z.object({ [override]: env.postgresUrl().optional() }))
    .and(redisEnv)
    .transform((raw) => ({
      port: raw.PORT,
      host: raw.HOST,
      databaseUrl: ((raw as Record<string, unknown>)[override] as string | undefined) ?? raw.DATABASE_URL,
      replicaUrls: raw.DATABASE_REPLICA_URLS,
      poolMax: raw.DB_POOL_MAX,
      prepare: raw.DB_PREPARE === 'on',
      /** REDIS_URL (and REDIS_SENTINELS): the catalog's cache and the event queue; unset: none. */
      redis: redisTarget(raw),
      jwksUrl: raw.JWKS_URL,
      jwtIssuer: raw.JWT_ISSUER,
      jwtAudience: raw.JWT_AUDIENCE,
      usersUrl: raw.USERS_URL,
      limits: {
        maxDepth: raw.SUBGRAPH_MAX_DEPTH,
        maxAliases: raw.SUBGRAPH_MAX_ALIASES,
        maxTokens: raw.SUBGRAPH_MAX_TOKENS,
        maxDirectives: raw.SUBGRAPH_MAX_DIRECTIVES,
        maxCost: raw.SUBGRAPH_MAX_COST,
        maxRepresentations: raw.SUBGRAPH_MAX_REPRESENTATIONS,
      } satisfies SubgraphQueryLimits,
      logLevel: raw.LOG_LEVEL,
      gatewayHmacSecret: raw.GATEWAY_HMAC_SECRET,
    }));
}

/**
 * `gatewayHmacSecret` is optional so configurations built in code (tests) need not name it; so are
 * `host` (kit/config's DEFAULT_HOST, loopback), `usersUrl` (DEFAULT_USERS_URL), `limits`
 * (DEFAULT_SUBGRAPH_QUERY_LIMITS) and `prepare` (on).
 */
export type SubgraphConfig = Omit<
  z.infer<ReturnType<typeof subgraphConfigSchema>>,
  'gatewayHmacSecret' | 'host' | 'usersUrl' | 'limits' | 'prepare'
> & {
  gatewayHmacSecret?: string;
  host?: string;
  usersUrl?: string;
  limits?: Partial<SubgraphQueryLimits>;
  prepare?: boolean;
};

export function loadSubgraphConfig(name: SubgraphName): SubgraphConfig {
  return loadConfigOrExit(name, subgraphConfigSchema(name));
}
