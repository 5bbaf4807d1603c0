import { z } from 'zod';
import { env, parseConfig } from '../kit/config';

/** Gateway environment. Every variable has a default that works with `bun start`. */
export const gatewayEnvSchema = z
  .object({
    GATEWAY_PORT: env.port(4000),
    REGISTRY_URL: env.url().default('http://127.0.0.1:4010'),
    REGISTRY_TARGET: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lower-case target name').default('main'),
    REGISTRY_TOKEN: z.string().min(1).optional(),
    /** Serve a supergraph file instead of polling the registry (tests, air-gapped installs). */
    SUPERGRAPH_FILE: z.string().min(1).optional(),
    SUPERGRAPH_POLL_INTERVAL_MS: z.coerce.number().int().min(500).default(10_000),
    JWKS_URL: env.url().default('http://127.0.0.1:4003/.well-known/jwks.json'),
    JWT_ISSUER: z.string().min(1).default('autograph'),
    JWT_AUDIENCE: z.string().min(1).default('autograph-api'),
    /** Report which schema coordinates operations use to the registry (for usage-aware checks). */
    USAGE_REPORTING: z.enum(['on', 'off']).default('on'),
    USAGE_SAMPLE_RATE: z.coerce.number().gt(0, 'must be above 0').max(1, 'must be at most 1').default(1),
    USAGE_FLUSH_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
    LOG_LEVEL: env.logLevel(),
  })
  .transform((raw) => ({
    port: raw.GATEWAY_PORT,
    registry: { url: raw.REGISTRY_URL, target: raw.REGISTRY_TARGET, token: raw.REGISTRY_TOKEN },
    supergraphFile: raw.SUPERGRAPH_FILE,
    pollIntervalMs: raw.SUPERGRAPH_POLL_INTERVAL_MS,
    jwt: { jwksUrl: raw.JWKS_URL, issuer: raw.JWT_ISSUER, audience: raw.JWT_AUDIENCE },
    // Usage goes to the registry the supergraph comes from; a file-fed gateway reports nowhere.
    usage: { enabled: raw.USAGE_REPORTING === 'on' && !raw.SUPERGRAPH_FILE, sampleRate: raw.USAGE_SAMPLE_RATE, flushIntervalMs: raw.USAGE_FLUSH_INTERVAL_MS },
    logLevel: raw.LOG_LEVEL,
  }));

export type GatewayOptions = z.infer<typeof gatewayEnvSchema>;

export function readGatewayEnv(source: Record<string, string | undefined> = process.env): GatewayOptions {
  return parseConfig(gatewayEnvSchema, source);
}
