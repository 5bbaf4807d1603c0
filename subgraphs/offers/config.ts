import { z } from 'zod';
import { env, parseConfig } from '../../kit/config';
import { SUBGRAPH_PORTS } from '../framework';

/** Environment only offers reads, on top of the shared subgraph variables. */
const offersConfigSchema = z
  .object({
    CATALOG_URL: env.url().default(`http://127.0.0.1:${SUBGRAPH_PORTS.catalog}/graphql`),
    SEARCH_EVENTS_URL: env.url().default(`http://127.0.0.1:${SUBGRAPH_PORTS.search}/events/offers`),
    INTERNAL_EVENTS_TOKEN: z.string().min(8, 'must be at least 8 characters').default('dev-internal-token'),
    QUEUE_PREFIX: z.string().min(1).default('autograph'),
  })
  .transform((raw) => ({
    catalogUrl: raw.CATALOG_URL,
    searchEventsUrl: raw.SEARCH_EVENTS_URL,
    internalToken: raw.INTERNAL_EVENTS_TOKEN,
    queuePrefix: raw.QUEUE_PREFIX,
  }));

export const loadOffersConfig = (source: Record<string, string | undefined> = process.env) =>
  parseConfig(offersConfigSchema, source);
