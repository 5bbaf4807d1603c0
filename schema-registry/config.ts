import { z } from 'zod';
import { env, parseConfig, productionSecretProblem } from '../kit/config';
import { allowedHosts, ANY_HOST, LOOPBACK_HOSTS } from '../kit/host-allow-list';
import { metricsAccessFromEnv, metricsTokenEnv } from '../kit/metrics-access';
import { schemaLimits, schemaLimitsEnv } from './limits';
import { DEFAULT_USAGE_RETENTION_INTERVAL_MS } from './retention';
import { targetName } from './names';

/**
 * The registry's environment. NODE_ENV=production refuses unsafe defaults: the admin token must be
 * set (at least 32 characters), and routing and webhook URLs may only point at loopback unless
 * REGISTRY_ALLOWED_SUBGRAPH_HOSTS / REGISTRY_ALLOWED_WEBHOOK_HOSTS say otherwise.
 */
export const registryEnv = z
  .object({
    NODE_ENV: env.nodeEnv(),
    HOST: env.host(),
    REGISTRY_PORT: env.port(4010),
    DATABASE_URL: env.postgresUrl(),
    REGISTRY_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
    /** Seals the console's session cookies; default: derived from REGISTRY_TOKEN. */
    CONSOLE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Targets that exist from the start (comma-separated); more with `autograph target:create`. */
    REGISTRY_TARGETS: z
      .string()
      .default('main')
      .transform((list) =>
        list
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      )
      .pipe(z.array(targetName)),
    REGISTRY_ALLOWED_SUBGRAPH_HOSTS: env.hostAllowList(),
    REGISTRY_ALLOWED_WEBHOOK_HOSTS: env.hostAllowList(),
    LOG_LEVEL: env.logLevel(),
    REGISTRY_USAGE_RETENTION_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .default(DEFAULT_USAGE_RETENTION_INTERVAL_MS),
    REGISTRY_WEBHOOK_SWEEP_MS: z.coerce.number().int().min(100).default(30_000),
    ...metricsTokenEnv,
    ...schemaLimitsEnv,
  })
  .superRefine((raw, ctx) => {
    if (raw.NODE_ENV !== 'production') return;
    const problem = productionSecretProblem(raw.REGISTRY_TOKEN, true);
    if (problem) ctx.addIssue({ code: 'custom', path: ['REGISTRY_TOKEN'], message: problem });
  })
  .transform((raw) => {
    // Outside production any host (never link-local or metadata); in production loopback until told.
    const fallback = raw.NODE_ENV === 'production' ? LOOPBACK_HOSTS : ANY_HOST;
    return {
      hostname: raw.HOST,
      port: raw.REGISTRY_PORT,
      databaseUrl: raw.DATABASE_URL,
      adminToken: raw.REGISTRY_TOKEN,
      consoleSessionSecret: raw.CONSOLE_SESSION_SECRET,
      targets: raw.REGISTRY_TARGETS,
      allowedSubgraphHosts: allowedHosts(raw.REGISTRY_ALLOWED_SUBGRAPH_HOSTS, fallback),
      allowedWebhookHosts: allowedHosts(raw.REGISTRY_ALLOWED_WEBHOOK_HOSTS, fallback),
      limits: schemaLimits(raw),
      logLevel: raw.LOG_LEVEL,
      metrics: metricsAccessFromEnv(raw),
      usageRetentionIntervalMs: raw.REGISTRY_USAGE_RETENTION_INTERVAL_MS,
      webhookSweepMs: raw.REGISTRY_WEBHOOK_SWEEP_MS,
    };
  });

export type RegistryConfig = z.infer<typeof registryEnv>;

/** Reads and checks the registry's environment; a ConfigError names every wrong variable. */
export const readRegistryEnv = (source: Record<string, string | undefined> = process.env): RegistryConfig =>
  parseConfig(registryEnv, source);
