import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isStream } from '../operation/streams';
import { asExecutor, operationTypeOf, type SubgraphExecutionRequest } from './subgraph-call';

export const SUBSCRIPTION_INTERRUPTED = 'SUBSCRIPTION_INTERRUPTED';

/** Errors of the HTTP transport itself (no code from the subgraph, or the transport's request error). */
const isTransportError = (error: { extensions?: Record<string, unknown> }) =>
  !error.extensions?.code || error.extensions.code === 'SUBREQUEST_HTTP_ERROR';

/**
 * A subgraph that restarts (or fails) while serving a subscription cuts its stream; Hive Gateway
 * would pass that on as a masked INTERNAL_SERVER_ERROR, or complete without a word. Instead the
 * subscriber gets a last result with SUBSCRIPTION_INTERRUPTED (retryable, naming the subgraph) and
 * the subscription completes: the client subscribes again (a new subscription reaches a replica
 * that is up). Streams are not resumed: live events are not stored, so what a resumed stream
 * would have missed could not be replayed anyway.
 */
export function useSubscriptionUpstream(): GatewayPlugin {
  return {
    onSubgraphExecute({ subgraphName, executionRequest, executor, setExecutor }) {
      if (operationTypeOf(executionRequest) !== 'subscription') return;
      const interrupted = (): ExecutionResult => ({
        errors: [
          new GraphQLError(`The ${subgraphName} service ended the subscription (restart or outage); subscribe again.`, {
            extensions: { code: SUBSCRIPTION_INTERRUPTED, serviceName: subgraphName, retryable: true },
          }),
        ],
      });
      setExecutor(
        asExecutor(async (request: SubgraphExecutionRequest) => {
          const result = await executor(request);
          if (!isStream(result)) return result;
          return (async function* () {
            let lastFailed = false;
            try {
              for await (const item of result as AsyncIterable<ExecutionResult>) {
                // The transport's own error (the stream broke), not one the subgraph answered.
                if (item.errors?.some(isTransportError)) {
                  yield interrupted();
                  return;
                }
                lastFailed = Boolean(item.errors?.length);
                yield item;
              }
            } catch {
              yield interrupted();
              return;
            }
            // Ended by the subgraph without saying why (its own errors, e.g. NOT_FOUND, say why).
            if (!lastFailed) yield interrupted();
          })();
        }),
      );
    },
  };
}
