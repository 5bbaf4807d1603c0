import type { Pool } from './types';

/**
 * Id lists the scenarios draw variables from, fetched from the gateway before the load starts.
 *
 * They are wide on purpose. Hive Gateway deduplicates identical in-flight subgraph requests, so a
 * small pool makes concurrent requests collide and measures deduplication instead of the gateway.
 * With 32 connections, a pool of n equally likely values gives each request about a 31/n chance of
 * an identical twin in flight.
 *
 * Prices in the graph are minor units (kopecks, cents): 1,000 ₽ is 100_000. Generators write
 * price bounds inline as `int(a, b) * 100_000` (whole thousands of rubles, as a buyer types
 * them): a generator's source is copied into the k6 scripts, so it cannot import a constant.
 */

/**
 * About 800 offer ids spread over the whole price range (the 100 newest, cheapest, dearest and
 * lowest-mileage offers, and 100 from each of four price floors), not only the newest page.
 */
export const offerIds: Pool = {
  query: `{
  newest: offers(first: 100) { edges { node { id } } }
  cheapest: offers(first: 100, orderBy: PRICE_ASC) { edges { node { id } } }
  dearest: offers(first: 100, orderBy: PRICE_DESC) { edges { node { id } } }
  lowMileage: offers(first: 100, orderBy: MILEAGE_ASC) { edges { node { id } } }
  from500k: offers(first: 100, orderBy: PRICE_ASC, filter: { priceMin: 50000000 }) { edges { node { id } } }
  from1m: offers(first: 100, orderBy: PRICE_ASC, filter: { priceMin: 100000000 }) { edges { node { id } } }
  from2m: offers(first: 100, orderBy: PRICE_ASC, filter: { priceMin: 200000000 }) { edges { node { id } } }
  from4m: offers(first: 100, orderBy: PRICE_ASC, filter: { priceMin: 400000000 }) { edges { node { id } } }
}`,
  extract: (data) =>
    [
      ...new Set(
        Object.values(data).flatMap((page: any) => page.edges.map((edge: { node: { id: string } }) => edge.node.id)),
      ),
    ] as string[],
};

export const makeIds: Pool = {
  query: '{ makes { id } }',
  extract: (data) => data.makes.map((make: { id: string }) => make.id),
};

export const modelIds: Pool = {
  query: '{ makes { models { id } } }',
  extract: (data) => data.makes.flatMap((make: { models: { id: string }[] }) => make.models.map((model) => model.id)),
};
