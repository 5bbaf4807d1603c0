import { createHash } from 'node:crypto';
import { z } from 'zod';
import { env, parseConfig } from '../../kit/config';

export const DEFAULT_CATALOG_CACHE_TTL_MS = 300_000;

/** Environment only catalog reads, on top of the shared subgraph variables. */
const catalogConfigSchema = z
  .object({
    /** Redis read-through cache of makes and models (only when REDIS_URL is set). */
    CATALOG_CACHE: z.enum(['on', 'off']).default('on'),
    CATALOG_CACHE_TTL_MS: env.positiveInt(DEFAULT_CATALOG_CACHE_TTL_MS),
    /** Unset: derived from the database, so deployments sharing a Redis never read each other's rows. */
    CATALOG_CACHE_KEY_PREFIX: z
      .string()
      .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 characters of letters, digits, ":", ".", "-" or "_"')
      .optional(),
  })
  .transform((raw) => ({
    cache: {
      enabled: raw.CATALOG_CACHE === 'on',
      ttlMs: raw.CATALOG_CACHE_TTL_MS,
      keyPrefix: raw.CATALOG_CACHE_KEY_PREFIX,
    },
  }));

export const loadCatalogConfig = (source: Record<string, string | undefined> = process.env) =>
  parseConfig(catalogConfigSchema, source);

/** `autograph:catalog:<hash of host/database>:`: one namespace per database, credentials left out. */
export function defaultCacheKeyPrefix(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const database = createHash('sha256').update(`${url.hostname}:${url.port}${url.pathname}`).digest('hex').slice(0, 12);
  return `autograph:catalog:${database}:`;
}
