import { defineScenario } from './types';

/**
 * The cache-hit fast path: a hot query sent by hash only (GET), answered from the shared cache.
 * Every request is identical on purpose: this measures cache hits, and a hit never reaches a
 * subgraph, so the gateway's in-flight deduplication plays no part.
 */
export default defineScenario({
  name: 'persisted-hit',
  description:
    'Hash-only GET of a hot catalog query: response-cache hits without parsing the document (identical requests on purpose).',
  operations: [
    {
      name: 'makes-by-hash',
      weight: 1,
      persisted: true,
      query: 'query HotMakes { makes { id name country } }',
      identical: 'a cache-hit scenario: the same hot query every time is the point, and a hit never reaches a subgraph',
    },
  ],
  load: { connections: 64, durationSec: 20 },
  thresholds: { p95Ms: 50, maxErrorRate: 0.001, minRps: 30_000 },
});
