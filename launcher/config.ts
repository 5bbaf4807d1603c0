import { z } from 'zod';
import { ConfigError, env, parseConfig, productionSecretProblem } from '../kit/config';
import { redisEnv } from '../kit/redis';
import { targetName } from '../schema-registry/names';
import { crashLoopEnv } from '../kit/supervisor';
import { DEFAULT_PORTS, generateSecret } from './system';

/** The secrets `bun start` hands its services; each either given in its environment or generated. */
const SECRETS = ['REGISTRY_TOKEN', 'INTERNAL_EVENTS_TOKEN', 'GATEWAY_HMAC_SECRET'] as const;

/** `bun start`'s environment. With NODE_ENV=production a secret that is given must be a real one. */
const launcherEnv = z
  .object({
    NODE_ENV: env.nodeEnv(),
    DATABASE_URL: env.postgresUrl().optional(),
    REGISTRY_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
    /** Shared by offers and search for event delivery without Redis. */
    INTERNAL_EVENTS_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
    /** Shared by the gateway (signs) and every subgraph (refuses unsigned requests). */
    GATEWAY_HMAC_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
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
    ...crashLoopEnv,
  })
  // REDIS_URL and the sentinels, checked here and handed to every child.
  .and(redisEnv)
  .superRefine((raw, ctx) => {
    if (raw.NODE_ENV !== 'production') return;
    for (const name of SECRETS) {
      const problem = productionSecretProblem(raw[name], false);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
  });

export type LauncherConfig = z.infer<typeof launcherEnv> & {
  /** Every secret, given or generated. */
  secrets: { registryToken: string; internalEventsToken: string; gatewayHmacSecret: string };
  /** REGISTRY_TOKEN was generated: `bun start` writes it where the CLI finds it. */
  registryTokenGenerated: boolean;
};

/**
 * Reads `bun start`'s environment and settles its secrets: each given one is used, each missing
 * one generated for this run. One that is missing and cannot be generated stops the start,
 * naming its variable: the services must never fall back to their development defaults.
 */
export function readLauncherEnv(
  source: Record<string, string | undefined> = process.env,
  generate: () => string = generateSecret,
): LauncherConfig {
  const config = parseConfig(launcherEnv, source);
  const problems: string[] = [];
  const settle = (name: (typeof SECRETS)[number]) => {
    const given = config[name];
    if (given) return given;
    try {
      return generate();
    } catch (error) {
      problems.push(`${name} (unset): is not set and could not be generated: ${(error as Error).message}`);
      return '';
    }
  };
  const secrets = {
    registryToken: settle('REGISTRY_TOKEN'),
    internalEventsToken: settle('INTERNAL_EVENTS_TOKEN'),
    gatewayHmacSecret: settle('GATEWAY_HMAC_SECRET'),
  };
  if (problems.length) throw new ConfigError(problems);
  return { ...config, secrets, registryTokenGenerated: !config.REGISTRY_TOKEN };
}
