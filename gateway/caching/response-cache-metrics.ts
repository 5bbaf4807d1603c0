import type { GatewayMetrics } from '../metrics';
import type { CacheLevel } from './store';

type Path = 'fast' | 'early' | 'standard';

/** The response cache's metrics, in its gateway's registry. */
export function responseCacheMetrics(metrics: GatewayMetrics) {
  const requests = metrics.counter({
    name: 'autograph_gateway_response_cache_requests_total',
    help: 'Requests the response cache was consulted for, by result (hit, miss), path (fast: an anonymous persisted GET answered before the gateway runtime; early: a persisted-document hash answered before any GraphQL processing; standard: looked up before parsing) and level (l1: this process; l2: the Redis every replica shares; for a miss, the last level asked)',
    labelNames: ['result', 'path', 'level'],
  });
  const invalidations = metrics.counter({
    name: 'autograph_gateway_response_cache_invalidated_entities_total',
    help: 'Entities (Type:id) whose cached responses a mutation evicted',
  });
  // Every label set there is, bound once: no label lookup per request.
  const bound = (result: 'hit' | 'miss', path: Path) => ({
    l1: requests.labels({ result, path, level: 'l1' }),
    l2: requests.labels({ result, path, level: 'l2' }),
  });
  const hits: Record<Path, Record<CacheLevel, { inc(): void }>> = {
    fast: bound('hit', 'fast'),
    early: bound('hit', 'early'),
    standard: bound('hit', 'standard'),
  };
  return { hits, misses: bound('miss', 'standard'), invalidations };
}

const REGULAR_MEDIA_TYPES = ['application/graphql-response+json', 'application/json'];

/**
 * The JSON media type Yoga would answer this request with (its result-processor negotiation:
 * the client's first acceptable type, `application/json` for wildcards), or null when the client
 * accepts no JSON at all (streams only): the early path leaves those to Yoga.
 */
export function regularMediaType(request: Request): string | null {
  const accepted = (request.headers.get('accept') || '*/*').replace(/\s/g, '').toLowerCase().split(',');
  let chosen: string | null = null;
  for (const entry of accepted.reverse()) {
    const [asked = '', ...parameters] = entry.split(';');
    if ((parameters.find((parameter) => parameter.startsWith('charset=')) ?? 'charset=utf-8') !== 'charset=utf-8')
      continue;
    const [askedMain, askedSub] = asked.split('/');
    for (const offered of REGULAR_MEDIA_TYPES) {
      const [main, sub] = offered.split('/');
      if ((askedMain === '*' || askedMain === main) && (askedSub === '*' || askedSub === sub)) chosen = offered;
    }
  }
  return chosen;
}
