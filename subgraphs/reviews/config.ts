import { z } from 'zod';
import { env, parseConfig } from '../../kit/config';
import { SUBGRAPH_PORTS } from '../framework';

/** Environment only reviews reads, on top of the shared subgraph variables. */
const reviewsConfigSchema = z
  .object({
    /** Where to check that a reviewed model exists (the catalog subgraph's GraphQL endpoint). */
    CATALOG_URL: env.url().default(`http://127.0.0.1:${SUBGRAPH_PORTS.catalog}/graphql`),
  })
  .transform((raw) => ({ catalogUrl: raw.CATALOG_URL }));

export type ReviewsConfig = z.infer<typeof reviewsConfigSchema>;

/** Throws a ConfigError naming the variable when a value is wrong. */
export function loadReviewsConfig(source: Record<string, string | undefined> = process.env): ReviewsConfig {
  return parseConfig(reviewsConfigSchema, source);
}
