import { z } from 'zod';
import { DEFAULT_SUPERGRAPH_CACHE_FILE } from './supergraph-source';
import { ConfigError, env, parseConfig } from '../kit/config';
import { targetName } from '../schema-registry/names';
import { cachingEnv } from './caching';
import { rateLimitEnv } from './rate-limit';
import { resilienceEnv } from './resilience';
import { securityEnv } from './security';
import { telemetryEnv } from './telemetry';

/** Where the gateway listens and where its supergraph comes from. Every default works with `bun start`. */
export const gatewayBaseEnv = z
  .object({
    GATEWAY_PORT: env.port(4000),
    REGISTRY_URL: env.url().default('http://127.0.0.1:4010'),
    REGISTRY_TARGET: targetName.default('main'),
    REGISTRY_TOKEN: z.string().min(1).optional(),
    /** Serve a supergraph file instead of polling the registry (tests, air-gapped installs). */
    SUPERGRAPH_FILE: z.string().min(1).optional(),
    SUPERGRAPH_POLL_INTERVAL_MS: z.coerce.number().int().min(500).default(10_000),
    /** The last good supergraph kept on disk, served when the gateway starts while the registry is down; "off": none. */
    SUPERGRAPH_CACHE_FILE: z.string().min(1).default(DEFAULT_SUPERGRAPH_CACHE_FILE),
    /** Shared store of every replica: response cache, rate limits, invalidation. Unset: in-memory, per process. */
    REDIS_URL: env.redisUrl().optional(),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 characters of letters, digits, ":", ".", "-" or "_"')
      .default('autograph:gateway:'),
    NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
    LOG_LEVEL: env.logLevel(),
  })
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
    registry: { url: raw.REGISTRY_URL, target: raw.REGISTRY_TARGET, token: raw.REGISTRY_TOKEN },
    supergraphFile: raw.SUPERGRAPH_FILE,
    supergraphCacheFile: raw.SUPERGRAPH_CACHE_FILE === 'off' ? null : raw.SUPERGRAPH_CACHE_FILE,
    pollIntervalMs: raw.SUPERGRAPH_POLL_INTERVAL_MS,
    redis: { url: raw.REDIS_URL, keyPrefix: raw.REDIS_KEY_PREFIX },
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
  return { ...base, ...parts } as GatewayOptions;
}
