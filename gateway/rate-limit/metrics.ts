import { counter, histogram } from '../metrics';

/** Requests and fields refused, by why (rate_limited, too_complex, unavailable) and which budget (client, operation, cost, field, query, store). */
export const rateLimitRejections = counter({
  name: 'autograph_gateway_rate_limit_rejections_total',
  help: 'Requests (or fields) refused by rate limiting, by reason and scope',
  labelNames: ['reason', 'scope'],
});

/** Decisions taken without Redis, by RATE_LIMIT_REDIS_DOWN policy (local, open, closed). */
export const rateLimitRedisFallbacks = counter({
  name: 'autograph_gateway_rate_limit_redis_fallback_total',
  help: 'Rate-limit decisions taken without Redis (unreachable or too slow), by RATE_LIMIT_REDIS_DOWN policy',
  labelNames: ['policy'],
});

/** Estimated cost of the operations clients send: what MAX_QUERY_COST and RATE_LIMIT_COST_BUDGET are tuned from. */
export const queryCost = histogram({
  name: 'autograph_gateway_query_cost',
  help: 'Estimated cost of executed operations (fields resolved, lists multiplied by their size)',
  buckets: [10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000],
});
