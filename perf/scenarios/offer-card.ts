import { offerIds } from './pools';
import { defineScenario } from './types';

export default defineScenario({
  name: 'offer-card',
  description: 'One offer page: offer, model, make, seller, rating and latest reviews (four subgraphs).',
  pools: { offers: offerIds },
  operations: [
    {
      name: 'offer-card',
      weight: 1,
      query: `query OfferCard($id: ID!) {
  offer(id: $id) {
    id title price currency year mileageKm city
    model { id name make { id name } rating { average count } reviews(first: 5) { edges { node { id rating text author { id name } } } } }
    seller { id name city }
  }
}`,
      variables: ({ pick, pools }) => ({ id: pick(pools.offers!) }),
    },
  ],
  load: { connections: 32, durationSec: 20 },
  thresholds: { p95Ms: 200, maxErrorRate: 0.001 },
});
