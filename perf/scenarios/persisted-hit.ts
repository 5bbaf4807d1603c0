import { defineScenario } from './types';

/** The cache-hit fast path: a hot query sent by hash only (GET), answered from the shared cache. */
export default defineScenario({
  name: 'persisted-hit',
  description: 'Hash-only GET of a hot catalog query: response-cache hits without parsing the document.',
  operations: [{ name: 'makes-by-hash', weight: 1, persisted: true, query: 'query HotMakes { makes { id name country } }' }],
  load: { connections: 64, durationSec: 20 },
  thresholds: { p95Ms: 50, maxErrorRate: 0.001, minRps: 30_000 },
});
