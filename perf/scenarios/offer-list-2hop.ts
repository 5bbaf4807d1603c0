import { defineScenario } from './types';

/**
 * The lab's headline query: a page of offers with their sellers, two subgraph hops (offers, then
 * users for the sellers). Every request carries its own price floor, as buyers' searches do.
 *
 * Varied on purpose, and in both hops. Hive Gateway deduplicates identical in-flight subgraph
 * requests: a load of one identical request mostly measures that deduplication (about 2× the
 * honest figure here; `bun perf compare` shows both). The list is ordered by price, so each floor
 * gives its own page and its own set of sellers. Newest first, the same floors share about 20
 * distinct seller sets on the seeded data, and the second hop would still be deduplicated for
 * most requests.
 *
 * `priceMin` is drawn from 50,000 ₽ to 3,000,000 ₽ in steps of 1,000 ₽ (2,951 values; about the
 * 2nd to the 85th percentile of the seeded prices). With 32 connections, about 1 % of requests
 * have an identical twin in flight.
 */
export default defineScenario({
  name: 'offer-list-2hop',
  description: 'A page of offers with their sellers (offers → users, two hops), a different price floor per request.',
  operations: [
    {
      name: 'offer-list',
      weight: 1,
      query:
        'query OfferList($priceMin: Int) { offers(first: 10, filter: { priceMin: $priceMin }, orderBy: PRICE_ASC) { edges { node { id title price seller { id name } } } } }',
      variables: ({ int }) => ({ priceMin: int(50, 3_000) * 100_000 }),
    },
  ],
  load: { connections: 32, durationSec: 20 },
  thresholds: { p95Ms: 200, maxErrorRate: 0.001 },
});
