import { z } from 'zod';
import { env, parseConfig } from '../../kit/config';
import { SUBGRAPH_PORTS } from '../framework';

/** Environment only search reads, on top of the shared subgraph variables. */
const searchConfigSchema = z
  .object({
    CATALOG_URL: env.url().default(`http://127.0.0.1:${SUBGRAPH_PORTS.catalog}/graphql`),
    OFFERS_URL: env.url().default(`http://127.0.0.1:${SUBGRAPH_PORTS.offers}/graphql`),
    INTERNAL_EVENTS_TOKEN: z.string().min(8, 'must be at least 8 characters').default('dev-internal-token'),
    QUEUE_PREFIX: z.string().min(1).default('autograph'),
  })
  .transform((raw) => ({
    catalogUrl: raw.CATALOG_URL,
    offersUrl: raw.OFFERS_URL,
    internalToken: raw.INTERNAL_EVENTS_TOKEN,
    queuePrefix: raw.QUEUE_PREFIX,
  }));

export const loadSearchConfig = (source: Record<string, string | undefined> = process.env) =>
  parseConfig(searchConfigSchema, source);
