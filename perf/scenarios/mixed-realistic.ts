import catalogBrowse from './catalog-browse';
import offerCard from './offer-card';
import searchFacets from './search-facets';
import { makeIds, offerIds } from './pools';
import { defineScenario, type VariableContext } from './types';

/**
 * What a marketplace front end sends: mostly offer pages and lists, searches, some reference data,
 * with varied variables so caches see a realistic hit rate (a long tail of offer ids and filters).
 * The list of makes is the one identical request (reference data without arguments).
 */
export default defineScenario({
  name: 'mixed-realistic',
  description: 'Weighted mix: offer cards 35 %, lists 25 %, search 20 %, catalog 20 %, varied variables.',
  pools: { offers: offerIds, makes: makeIds },
  operations: [
    { ...offerCard.operations[0]!, weight: 35 },
    {
      name: 'offer-list-filtered',
      weight: 25,
      query:
        'query OfferListFiltered($filter: OfferFilter, $order: OfferOrder) { offers(first: 10, filter: $filter, orderBy: $order) { totalCount edges { node { id title price seller { id name } } } } }',
      // Price caps from 300,000 ₽ to 5,000,000 ₽ (prices are kopecks: see pools.ts).
      variables: ({ pick, int, pools }: VariableContext) => ({
        filter: int(0, 1) === 0 ? { makeId: pick(pools.makes!) } : { priceMax: int(300, 5_000) * 100_000 },
        order: pick(['NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'MILEAGE_ASC']),
      }),
    },
    { ...searchFacets.operations[0]!, weight: 20 },
    ...catalogBrowse.operations.map((operation) => ({ ...operation, weight: operation.weight * 5 })),
  ],
  load: { connections: 32, durationSec: 30 },
  thresholds: { p95Ms: 200, maxErrorRate: 0.001 },
});
