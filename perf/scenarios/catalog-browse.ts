import { makeIds } from './pools';
import { defineScenario } from './types';

/**
 * A cache scenario: reference data that the response cache answers. The list of makes has no
 * arguments, so its requests are identical (as every client's are); one make with its models
 * varies over all makes.
 */
export default defineScenario({
  name: 'catalog-browse',
  description: 'Reference data (makes, one make with its models): the cacheable part of the graph.',
  pools: { makes: makeIds },
  operations: [
    {
      name: 'makes',
      weight: 1,
      query: 'query Makes { makes { id name country } }',
      identical:
        'reference data without arguments: every client sends exactly this query, and the scenario measures the cacheable part of the graph',
    },
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
