import { z } from 'zod';
import { env, parseConfig } from '../../kit/config';
import { SUBGRAPH_PORTS } from '../framework';
import { OUTBOX_DEFAULTS } from './outbox/relay';

/** Environment only offers reads, on top of the shared subgraph variables. */
const offersConfigSchema = z
  .object({
    CATALOG_URL: env.url().default(`http://127.0.0.1:${SUBGRAPH_PORTS.catalog}/graphql`),
    SEARCH_EVENTS_URL: env.url().default(`http://127.0.0.1:${SUBGRAPH_PORTS.search}/events/offers`),
    INTERNAL_EVENTS_TOKEN: z.string().min(8, 'must be at least 8 characters').default('dev-internal-token'),
    QUEUE_PREFIX: z.string().min(1).default('autograph'),
    OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(OUTBOX_DEFAULTS.batchSize),
    OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(OUTBOX_DEFAULTS.pollIntervalMs),
    OUTBOX_RETRY_MAX_MS: z.coerce.number().int().min(100).max(300_000).default(OUTBOX_DEFAULTS.retryMaxMs),
    // Above the longest hand-over (two send timeouts, see DEFAULT_SEND_TIMEOUT_MS), or a slow one would be sent twice.
    OUTBOX_LEASE_MS: z.coerce.number().int().min(15_000).default(OUTBOX_DEFAULTS.leaseMs),
    OUTBOX_SENT_RETENTION_MS: z.coerce.number().int().min(0).default(OUTBOX_DEFAULTS.sentRetentionMs),
  })
  .transform((raw) => ({
    catalogUrl: raw.CATALOG_URL,
    searchEventsUrl: raw.SEARCH_EVENTS_URL,
    internalToken: raw.INTERNAL_EVENTS_TOKEN,
    queuePrefix: raw.QUEUE_PREFIX,
    outbox: {
      batchSize: raw.OUTBOX_BATCH_SIZE,
      pollIntervalMs: raw.OUTBOX_POLL_INTERVAL_MS,
      retryMaxMs: raw.OUTBOX_RETRY_MAX_MS,
      leaseMs: raw.OUTBOX_LEASE_MS,
      sentRetentionMs: raw.OUTBOX_SENT_RETENTION_MS,
    },
  }));

export const loadOffersConfig = (source: Record<string, string | undefined> = process.env) =>
  parseConfig(offersConfigSchema, source);
