import { z } from 'zod';
import { DEFAULT_SUPERGRAPH_CACHE_FILE } from './supergraph-source';
import { ConfigError, env, parseConfig } from '../kit/config';
import { redisEnv, redisTarget } from '../kit/redis';
import { contractName, targetName } from '../schema-registry/names';
import { cachingEnv } from './caching';
import { rateLimitEnv } from './rate-limit';
import { resilienceEnv } from './resilience';
import { securityEnv } from './security';
import { telemetryEnv } from './telemetry';
import { workersEnv, workersProblem } from './workers';

/**
 * The copy kept on disk: a contract's gateway keeps its own by default, so a full and a contract
 * gateway on one machine never serve each other's supergraph after a restart during an outage.
 */
function cacheFileFor(file: string, contract: string | undefined): string | null {
  if (file === 'off') return null;
  return contract && file === DEFAULT_SUPERGRAPH_CACHE_FILE ? file.replace(/\.graphql$/, `.${contract}.graphql`) : file;
}

/** Where the gateway listens and where its supergraph comes from. Every default works with `bun start`. */
export const gatewayBaseEnv = z
  .object({
    GATEWAY_PORT: env.port(4000),
    REGISTRY_URL: env.url().default('http://127.0.0.1:4010'),
    REGISTRY_TARGET: targetName.default('main'),
    REGISTRY_TOKEN: z.string().min(1).optional(),
    /** Serve this schema contract of the target (its @tag-filtered supergraph) instead of the whole supergraph. */
    REGISTRY_CONTRACT: contractName.optional(),
    /** Serve a supergraph file instead of polling the registry (tests, air-gapped installs). */
    SUPERGRAPH_FILE: z.string().min(1).optional(),
    SUPERGRAPH_POLL_INTERVAL_MS: z.coerce.number().int().min(500).default(10_000),
    /** The last good supergraph kept on disk, served when the gateway starts while the registry is down; "off": none. */
    SUPERGRAPH_CACHE_FILE: z.string().min(1).default(DEFAULT_SUPERGRAPH_CACHE_FILE),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 characters of letters, digits, ":", ".", "-" or "_"')
      .default('autograph:gateway:'),
    NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
    LOG_LEVEL: env.logLevel(),
  })
  // Shared store of every replica: response cache, rate limits, invalidation. Unset: in-memory, per process.
  .and(redisEnv)
  .superRefine((raw, ctx) => {
    // The supergraph says where users' tokens are sent: in production only an authenticated registry may say it.
    if (raw.NODE_ENV === 'production' && !raw.SUPERGRAPH_FILE && !raw.REGISTRY_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['REGISTRY_TOKEN'],
        message: 'is required when NODE_ENV=production (or serve SUPERGRAPH_FILE)',
      });
    }
  })
  .transform((raw) => ({
    port: raw.GATEWAY_PORT,
    registry: {
      url: raw.REGISTRY_URL,
      target: raw.REGISTRY_TARGET,
      token: raw.REGISTRY_TOKEN,
      contract: raw.REGISTRY_CONTRACT,
    },
    supergraphFile: raw.SUPERGRAPH_FILE,
    supergraphCacheFile: cacheFileFor(raw.SUPERGRAPH_CACHE_FILE, raw.REGISTRY_CONTRACT),
    pollIntervalMs: raw.SUPERGRAPH_POLL_INTERVAL_MS,
    redis: { target: redisTarget(raw), keyPrefix: raw.REDIS_KEY_PREFIX },
    production: raw.NODE_ENV === 'production',
    logLevel: raw.LOG_LEVEL,
  }));

/**
 * Each concern of the chain (gateway/<concern>/index.ts) owns its variables; the gateway reads them all and
 * reports every wrong one at once, named.
 */
const sections = {
  caching: cachingEnv,
  rateLimit: rateLimitEnv,
  resilience: resilienceEnv,
  security: securityEnv,
  telemetry: telemetryEnv,
  workers: workersEnv,
};

export type GatewayOptions = z.infer<typeof gatewayBaseEnv> & {
  [K in keyof typeof sections]: z.infer<(typeof sections)[K]>;
};

export function readGatewayEnv(source: Record<string, string | undefined> = process.env): GatewayOptions {
  const issues: string[] = [];
  const read = <S extends z.ZodType>(schema: S): z.infer<S> => {
    try {
      return parseConfig(schema, source);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
      return undefined as z.infer<S>;
    }
  };
  const base = read(gatewayBaseEnv);
  const parts = Object.fromEntries(Object.entries(sections).map(([key, schema]) => [key, read(schema)]));
  if (issues.length) throw new ConfigError([...new Set(issues)]);
  const options = { ...base, ...parts } as GatewayOptions;
  // Across sections: several workers share their caches and limits only through Redis.
  const problem = workersProblem({
    workers: options.workers,
    redis: options.redis,
    responseCache: options.caching.responseCache.enabled,
    rateLimit: options.rateLimit.enabled,
  });
  if (problem) throw new ConfigError([`GATEWAY_WORKERS (${JSON.stringify(source.GATEWAY_WORKERS)}): ${problem}`]);
  return options;
}
