import type { GatewayPlugin } from '@graphql-hive/gateway';
import { z } from 'zod';
import {
  DEFAULT_ERROR_THRESHOLD_PERCENT,
  DEFAULT_RESET_MS,
  DEFAULT_VOLUME_THRESHOLD,
  DEFAULT_WINDOW_MS,
  useCircuitBreaker,
} from './use-circuit-breaker';
import { useRequestDeadline } from './use-request-deadline';
import { useSubgraphFailures } from './use-subgraph-failures';
import { useSubgraphTimeout } from './use-subgraph-timeout';
import { useSubscriptionUpstream } from './use-subscription-upstream';
import { operationTypeOf } from './subgraph-call';
import { DEFAULT_RETRY_DELAY_MS, useSubgraphRetries } from './use-subgraph-retries';
import { RequestDeadline } from './request-deadline';
import type { ChainDeps, ChainPart } from '../concern';

const onOff = (fallback: 'on' | 'off') => z.enum(['on', 'off']).default(fallback);
/** Milliseconds; 0 switches the feature off. */
const millisOrOff = (fallback: number) =>
  z.coerce.number().int().min(0, 'must be 0 (off) or a number of milliseconds').default(fallback);

/** Environment of the resilience concern (breakers, timeouts, retries, deadlines). */
export const resilienceEnv = z
  .object({
    /** Switches the whole concern off: subgraph failures then reach clients as Hive reports them. */
    RESILIENCE: onOff('on'),
    SUBGRAPH_TIMEOUT_MS: millisOrOff(5_000),
    SUBGRAPH_RETRIES: z.coerce.number().int().min(0).max(5, 'must be at most 5').default(2),
    SUBGRAPH_RETRY_DELAY_MS: z.coerce.number().int().min(1).default(DEFAULT_RETRY_DELAY_MS),
    REQUEST_DEADLINE_MS: millisOrOff(10_000),
    CIRCUIT_BREAKER: onOff('on'),
    CIRCUIT_ERROR_THRESHOLD_PERCENT: z.coerce
      .number()
      .int()
      .min(1)
      .max(99, 'must be 1-99')
      .default(DEFAULT_ERROR_THRESHOLD_PERCENT),
    CIRCUIT_VOLUME_THRESHOLD: z.coerce.number().int().min(1).default(DEFAULT_VOLUME_THRESHOLD),
    CIRCUIT_RESET_MS: z.coerce.number().int().min(100).default(DEFAULT_RESET_MS),
    CIRCUIT_WINDOW_MS: z.coerce.number().int().min(1_000).default(DEFAULT_WINDOW_MS),
    /** On shutdown, keep serving (with /readiness at 503) this long before closing the port. */
    DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(60_000).optional(),
    NODE_ENV: z.string().optional(),
  })
  .transform((raw) => ({
    enabled: raw.RESILIENCE === 'on',
    subgraphTimeoutMs: raw.SUBGRAPH_TIMEOUT_MS || undefined,
    retries: { maxRetries: raw.SUBGRAPH_RETRIES, delayMs: raw.SUBGRAPH_RETRY_DELAY_MS },
    requestDeadlineMs: raw.REQUEST_DEADLINE_MS || undefined,
    circuitBreaker: raw.CIRCUIT_BREAKER === 'on' && {
      errorThresholdPercent: raw.CIRCUIT_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: raw.CIRCUIT_VOLUME_THRESHOLD,
      resetMs: raw.CIRCUIT_RESET_MS,
      windowMs: raw.CIRCUIT_WINDOW_MS,
    },
    // Load balancers only learn of a shutdown from /readiness; in production give them time to look.
    drainDelayMs: raw.DRAIN_DELAY_MS ?? (raw.NODE_ENV === 'production' ? 5_000 : 0),
  }));
export type ResilienceOptions = z.infer<typeof resilienceEnv>;

/**
 * How the gateway lives with subgraphs that fail: each call bounded in time, failed queries
 * retried, a circuit per subgraph that fails fast while it is down, and a partial response (every
 * field the healthy subgraphs serve, coded errors on the rest) instead of a failed request.
 *
 * An open circuit does not make the gateway unready: every replica sees the same subgraph down,
 * so taking replicas out of the load balancer would turn a partial outage into a total one.
 */
export function resilience(options: ResilienceOptions, deps: ChainDeps): ChainPart {
  if (!options.enabled) return { name: 'resilience' };
  const deadline = new RequestDeadline(options.requestDeadlineMs);
  const { subgraphTimeoutMs } = options;

  return {
    name: 'resilience',
    // Each plugin wraps the subgraph executor of the ones before it: the timeout bounds one
    // attempt, retries repeat attempts, and the breaker sees (and short-cuts) the whole call.
    // Hive's `upstreamTimeout` / `upstreamRetry` options would place theirs before every chain
    // plugin, outside our control; ours are added here in this order instead.
    plugins: () =>
      [
        useSubscriptionUpstream(),
        (subgraphTimeoutMs || options.requestDeadlineMs) &&
          useSubgraphTimeout((request) => {
            // A subscription's stream waits for events as long as it lives; its first answer is not bounded either.
            if (operationTypeOf(request) === 'subscription') return undefined;
            const limitMs = Math.min(subgraphTimeoutMs ?? Infinity, deadline.remainingMs(request));
            return Number.isFinite(limitMs) ? Math.max(1, limitMs) : undefined;
          }),
        useSubgraphFailures({ logger: deps.logger, metrics: deps.metrics, deadline }),
        options.requestDeadlineMs && useRequestDeadline(deadline),
        options.retries.maxRetries > 0 && useSubgraphRetries({ ...options.retries, metrics: deps.metrics, deadline }),
        options.circuitBreaker &&
          useCircuitBreaker({ ...options.circuitBreaker, logger: deps.logger, metrics: deps.metrics }),
      ].filter((plugin): plugin is GatewayPlugin => Boolean(plugin)),
  };
}
