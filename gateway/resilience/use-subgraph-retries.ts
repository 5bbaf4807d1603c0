import { getRetryInfo, isRetryExecutionRequest, useUpstreamRetry, type GatewayPlugin } from '@graphql-hive/gateway';
import type { Counter } from 'prom-client';
import type { GatewayMetrics } from '../metrics';
import type { RequestDeadline } from './request-deadline';
import { operationTypeOf } from './subgraph-call';
import { failureOf } from './subgraph-errors';

export const DEFAULT_RETRY_DELAY_MS = 100;
/** Each further retry waits this much longer than the one before. */
export const RETRY_DELAY_FACTOR = 2;

export interface SubgraphRetriesOptions {
  metrics: GatewayMetrics;
  /** Retries after the first attempt; 0 turns retrying off. */
  maxRetries: number;
  /** Wait before the first retry, jittered per request between half and one and a half times this. Default DEFAULT_RETRY_DELAY_MS. */
  delayMs?: number;
  /** No retry is started that could not finish before the request's deadline. */
  deadline?: RequestDeadline;
}

/**
 * Bounded retries with jitter on Hive's `useUpstreamRetry`, for queries only: a mutation is never
 * sent twice (its first attempt may have been applied even if its answer was lost), and neither is
 * a subscription. Only calls that could not reach the subgraph or got no GraphQL answer
 * (SUBGRAPH_UNAVAILABLE from useSubgraphFailures, which this wraps) are repeated; a timeout is not,
 * since a slow subgraph only gets slower with more load, and errors the subgraph answered with are
 * its answer.
 */
export function useSubgraphRetries(options: SubgraphRetriesOptions): GatewayPlugin {
  const { maxRetries, delayMs = DEFAULT_RETRY_DELAY_MS, deadline } = options;
  const retries = options.metrics.counter({
    name: 'autograph_gateway_subgraph_retries_total',
    help: 'Subgraph calls repeated after a transport failure (queries only)',
    labelNames: ['subgraph'],
  });
  // Bound once per subgraph: the supergraph names few subgraphs.
  const bound = new Map<string, Counter.Internal>();
  const retried = (subgraph: string) => {
    let child = bound.get(subgraph);
    if (!child) bound.set(subgraph, (child = retries.labels({ subgraph })));
    child.inc();
  };
  return useUpstreamRetry(({ subgraphName, executionRequest }) => {
    if (maxRetries <= 0 || operationTypeOf(executionRequest) !== 'query') return undefined;
    // Jitter spreads the retries of many requests that failed together (a subgraph restarting).
    const firstDelay = delayMs * (0.5 + Math.random());
    return {
      maxRetries,
      // Hive multiplies the delay before every retry, the first one included.
      retryDelay: firstDelay / RETRY_DELAY_FACTOR,
      retryDelayFactor: RETRY_DELAY_FACTOR,
      shouldRetry({ executionRequest: attempt, executionResult }) {
        if (Symbol.asyncIterator in Object(executionResult)) return false;
        if (failureOf(executionResult as { errors?: readonly never[] }) !== 'unreachable') return false;
        const attemptNumber = isRetryExecutionRequest(attempt) ? getRetryInfo(attempt).attempt : 0;
        // Hive also asks after the last attempt, and would wait once more for nothing.
        if (attemptNumber >= maxRetries) return false;
        if (deadline && deadline.remainingMs(attempt) <= firstDelay * RETRY_DELAY_FACTOR ** attemptNumber) return false;
        retried(subgraphName);
        return true;
      },
    };
  });
}
