import type { GatewayMetrics } from '../metrics';
import type { LimitScope } from './errors';

/** The rate-limit concern's metrics in one gateway's registry, their fixed label sets bound once. */
export function createRateLimitMetrics(metrics: GatewayMetrics) {
  /** Requests and fields refused, by why (rate_limited, too_complex, unavailable) and which budget (client, operation, cost, field, query, store). */
  const rejections = metrics.counter({
    name: 'autograph_gateway_rate_limit_rejections_total',
    help: 'Requests (or fields) refused by rate limiting, by reason and scope',
    labelNames: ['reason', 'scope'],
  });
  const rateLimited = (scope: LimitScope) => rejections.labels({ reason: 'rate_limited', scope });
  return {
    rejected: {
      rateLimited: {
        client: rateLimited('client'),
        operation: rateLimited('operation'),
        cost: rateLimited('cost'),
        field: rateLimited('field'),
      },
      tooComplex: rejections.labels({ reason: 'too_complex', scope: 'query' }),
      unavailable: rejections.labels({ reason: 'unavailable', scope: 'store' }),
    },
    /** Estimated cost of the operations clients send: what MAX_QUERY_COST and RATE_LIMIT_COST_BUDGET are tuned from. */
    queryCost: metrics.histogram({
      name: 'autograph_gateway_query_cost',
      help: 'Estimated cost of executed operations (fields resolved, lists multiplied by their size)',
      buckets: [10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000],
    }),
    /** Decisions taken without Redis, by RATE_LIMIT_REDIS_DOWN policy (local, open, closed). */
    redisFallbacks: metrics.counter({
      name: 'autograph_gateway_rate_limit_redis_fallback_total',
      help: 'Rate-limit decisions taken without Redis (unreachable or too slow), by RATE_LIMIT_REDIS_DOWN policy',
      labelNames: ['policy'],
    }),
  };
}
