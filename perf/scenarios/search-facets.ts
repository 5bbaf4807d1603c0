import { makeIds } from './pools';
import { defineScenario } from './types';

export default defineScenario({
  name: 'search-facets',
  description: 'Full-text search with filters and facets, with varied text and make filters.',
  pools: { makes: makeIds },
  operations: [
    {
      name: 'search',
      weight: 1,
      query: `query Search($text: String, $filter: SearchFilter) {
  searchOffers(text: $text, filter: $filter, first: 20) {
    totalCount
    offers { id title price }
    facets { makes { value label count } bodyTypes { value count } years { value count } cities { value count } }
  }
}`,
      // Price caps from 300,000 ₽ to 5,000,000 ₽ (prices are kopecks: see pools.ts).
      variables: ({ pick, int, pools }) => {
        const roll = int(0, 2);
        if (roll === 0) return { text: pick(['sedan', 'diesel', 'automatic', 'family', 'low mileage', 'red']) };
        if (roll === 1) return { filter: { makeId: pick(pools.makes!) } };
        return { filter: { priceMax: int(300, 5_000) * 100_000, yearMin: int(2005, 2020) } };
      },
    },
  ],
  load: { connections: 16, durationSec: 20 },
  thresholds: { p95Ms: 200, maxErrorRate: 0.001 },
});
