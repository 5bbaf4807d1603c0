import { z } from 'zod';
import { env, loadConfigOrExit } from '../../kit/config';

export const SUBGRAPH_PORTS = { catalog: 4001, offers: 4002, users: 4003, reviews: 4004, search: 4005 } as const;
export type SubgraphName = keyof typeof SUBGRAPH_PORTS;

/**
 * Environment shared by all subgraphs. `<NAME>_DATABASE_URL` (e.g. OFFERS_DATABASE_URL) lets
 * one subgraph move to its own database without touching the others.
 */
export function subgraphConfigSchema(name: SubgraphName) {
  const override = `${name.toUpperCase()}_DATABASE_URL`;
  const postgresList = z
    .string()
    .default('')
    .transform((list) => list.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(env.postgresUrl()));
  return z
    .object({
      PORT: env.port(SUBGRAPH_PORTS[name]),
      DATABASE_URL: env.postgresUrl(),
      DATABASE_REPLICA_URLS: postgresList,
      DB_POOL_MAX: env.positiveInt(5),
      REDIS_URL: env.redisUrl().optional(),
      JWKS_URL: env.url().default(`http://127.0.0.1:${SUBGRAPH_PORTS.users}/.well-known/jwks.json`),
      JWT_ISSUER: z.string().min(1).default('autograph'),
      JWT_AUDIENCE: z.string().min(1).default('autograph-api'),
      LOG_LEVEL: env.logLevel(),
      /**
       * Shared with the gateway: when set, /graphql serves only requests the gateway signed with it
       * (see createGatewaySignatureGate in auth.ts). Unset: any caller may query the subgraph directly.
       */
      GATEWAY_HMAC_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    })
    .and(z.object({ [override]: env.postgresUrl().optional() }))
    .transform((raw) => ({
      port: raw.PORT,
      databaseUrl: (raw as Record<string, unknown>)[override] as string | undefined ?? raw.DATABASE_URL,
      replicaUrls: raw.DATABASE_REPLICA_URLS,
      poolMax: raw.DB_POOL_MAX,
      redisUrl: raw.REDIS_URL,
      jwksUrl: raw.JWKS_URL,
      jwtIssuer: raw.JWT_ISSUER,
      jwtAudience: raw.JWT_AUDIENCE,
      logLevel: raw.LOG_LEVEL,
      gatewayHmacSecret: raw.GATEWAY_HMAC_SECRET,
    }));
}

/** `gatewayHmacSecret` is optional so configurations built in code (tests) need not name it. */
export type SubgraphConfig = Omit<z.infer<ReturnType<typeof subgraphConfigSchema>>, 'gatewayHmacSecret'> & { gatewayHmacSecret?: string };

export function loadSubgraphConfig(name: SubgraphName): SubgraphConfig {
  return loadConfigOrExit(name, subgraphConfigSchema(name));
}
