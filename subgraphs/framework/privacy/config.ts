import { z } from 'zod';
import { parseConfig } from '../../../kit/config';

/** How often a subgraph asks the users subgraph for erasures it has not applied yet. */
export const DEFAULT_ERASURE_POLL_INTERVAL_MS = 5_000;
/** Audit entries older than this many days are purged. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
/** Refresh tokens are purged this many days after they expired. */
export const DEFAULT_REFRESH_TOKEN_RETENTION_DAYS = 7;
/** How often the retention purge runs. */
export const DEFAULT_RETENTION_INTERVAL_MS = 3_600_000;

/** Privacy settings every subgraph reads (erasure hand-over, retention), validated at start. */
const privacyConfigSchema = z
  .object({
    /** Shared secret of the internal endpoints (offer events, erasures); the same in every process. */
    INTERNAL_EVENTS_TOKEN: z.string().min(8, 'must be at least 8 characters').default('dev-internal-token'),
    ERASURE_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(DEFAULT_ERASURE_POLL_INTERVAL_MS),
    AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(DEFAULT_AUDIT_RETENTION_DAYS),
    REFRESH_TOKEN_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(0)
      .max(3_650)
      .default(DEFAULT_REFRESH_TOKEN_RETENTION_DAYS),
    RETENTION_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(DEFAULT_RETENTION_INTERVAL_MS),
    /** BullMQ key prefix, shared with the offer events (offers/events.ts). */
    QUEUE_PREFIX: z.string().min(1).default('autograph'),
  })
  .transform((raw) => ({
    internalToken: raw.INTERNAL_EVENTS_TOKEN,
    erasurePollIntervalMs: raw.ERASURE_POLL_INTERVAL_MS,
    retention: {
      auditDays: raw.AUDIT_RETENTION_DAYS,
      refreshTokenDays: raw.REFRESH_TOKEN_RETENTION_DAYS,
      intervalMs: raw.RETENTION_INTERVAL_MS,
    },
    queuePrefix: raw.QUEUE_PREFIX,
  }));

export type RetentionSettings = ReturnType<typeof readPrivacyConfig>['retention'];

export const readPrivacyConfig = (env: Record<string, string | undefined> = process.env) =>
  parseConfig(privacyConfigSchema, env);
