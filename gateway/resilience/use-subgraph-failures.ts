import type { GatewayPlugin } from '@graphql-hive/gateway';
import type { ExecutionResult } from 'graphql';
import type { Logger } from '../../kit/log';
import type { Counter } from 'prom-client';
import type { GatewayMetrics } from '../metrics';
import type { RequestDeadline } from './request-deadline';
import { isStream } from '../operation/streams';
import { asExecutor, type SubgraphExecutionRequest, type SubgraphExecutor } from './subgraph-call';
import { isTimeoutError, isTransportError, subgraphError, type SubgraphFailure } from './subgraph-errors';

export interface SubgraphFailuresOptions {
  logger: Logger;
  metrics: GatewayMetrics;
  /** Tells a timeout of the subgraph from the request running out of time. */
  deadline?: RequestDeadline;
}

/** A timer may fire a millisecond or so before the deadline it was set for. */
const DEADLINE_SLACK_MS = 10;

/**
 * Every subgraph call ends in a result the query planner can merge: a refused connection, a
 * non-GraphQL answer or a timeout becomes one coded error naming the subgraph (see
 * resilience/subgraph-errors.ts) on the paths it serves, instead of a thrown error or a masked
 * "Unexpected error." carrying the subgraph's URL. Retries and the circuit breaker, which wrap this
 * plugin, decide from these codes. Errors the subgraph itself returned pass through untouched.
 */
export function useSubgraphFailures(options: SubgraphFailuresOptions): GatewayPlugin {
  const { logger, deadline } = options;
  const failures = options.metrics.counter({
    name: 'autograph_gateway_subgraph_failures_total',
    help: 'Subgraph calls that failed at the transport level, by subgraph and reason (unreachable, timeout, deadline)',
    labelNames: ['subgraph', 'reason'],
  });
  // Bound once per subgraph and reason: the supergraph names few subgraphs.
  const bound = new Map<string, Counter.Internal>();
  const count = (subgraph: string, reason: SubgraphFailure) => {
    const key = `${reason}:${subgraph}`;
    let child = bound.get(key);
    if (!child) bound.set(key, (child = failures.labels({ subgraph, reason })));
    child.inc();
  };

  const failed = (
    subgraph: string,
    request: SubgraphExecutionRequest,
    error: unknown,
    rest: ExecutionResult = {},
  ): ExecutionResult => {
    const reason: SubgraphFailure = !isTimeoutError(error)
      ? 'unreachable'
      : deadline && deadline.remainingMs(request) <= DEADLINE_SLACK_MS
        ? 'deadline'
        : 'timeout';
    count(subgraph, reason);
    logger.debug({ subgraph, reason, err: (error as Error)?.message }, 'subgraph call failed');
    return { ...rest, errors: [subgraphError(subgraph, reason), ...(rest.errors ?? [])] };
  };

  const normalized = (subgraph: string, executor: SubgraphExecutor) => async (request: SubgraphExecutionRequest) => {
    let result: Awaited<ReturnType<SubgraphExecutor>>;
    try {
      result = await executor(request);
    } catch (error) {
      return isTransportError(error) || isTimeoutError(error) ? failed(subgraph, request, error) : { errors: [error] };
    }
    if (isStream(result) || !result.errors?.length) return result;
    const transportError = result.errors.find(isTransportError);
    if (!transportError) return result;
    return failed(subgraph, request, transportError, {
      data: result.data as ExecutionResult['data'],
      errors: result.errors.filter((error) => !isTransportError(error)),
    });
  };

  return {
    onSubgraphExecute({ subgraphName, executor, setExecutor }) {
      setExecutor(asExecutor(normalized(subgraphName, executor)));
    },
  };
}
