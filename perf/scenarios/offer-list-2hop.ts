import { defineScenario } from './types';

export default defineScenario({
  name: 'offer-list-2hop',
  description: 'A page of offers with their sellers: offers → users, two subgraph hops.',
  operations: [
    {
      name: 'offer-list',
      weight: 1,
      query: 'query OfferList { offers(first: 10) { edges { node { id title price seller { id name } } } } }',
    },
  ],
  load: { connections: 32, durationSec: 20 },
  thresholds: { p95Ms: 200, maxErrorRate: 0.001 },
});
