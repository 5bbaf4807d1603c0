import { makeIds } from './pools';
import { defineScenario } from './types';

export default defineScenario({
  name: 'catalog-browse',
  description: 'Reference data (makes, one make with its models): the cacheable part of the graph.',
  pools: { makes: makeIds },
  operations: [
    { name: 'makes', weight: 1, query: 'query Makes { makes { id name country } }' },
    {
      name: 'make-models',
      weight: 3,
      query: 'query MakeModels($id: ID!) { make(id: $id) { id name models { id name bodyType } } }',
      variables: ({ pick, pools }) => ({ id: pick(pools.makes!) }),
    },
  ],
  load: { connections: 32, durationSec: 20 },
  thresholds: { p95Ms: 200, maxErrorRate: 0.001, minRps: 10_000 },
});
