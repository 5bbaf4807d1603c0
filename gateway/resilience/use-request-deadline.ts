import type { GatewayPlugin } from '@graphql-hive/gateway';
import type { RequestDeadline } from './request-deadline';
import { asExecutor } from './subgraph-call';
import { failureResult } from './subgraph-errors';

/**
 * Starts each request's clock and skips subgraph calls planned after its deadline: they answer
 * GATEWAY_TIMEOUT on their paths at once, and whatever the other subgraphs returned is sent.
 * Calls already running are cut at the deadline by the upstream timeout (see resilience/index.ts).
 *
 * Hive's own `requestDeadline` answers a bare "503 Request deadline exceeded" text instead, losing
 * the data already fetched and the GraphQL error shape; hence this one.
 */
export function useRequestDeadline(deadline: RequestDeadline): GatewayPlugin {
  return {
    onRequest({ request }) {
      deadline.start(request);
    },
    // A subscription is not bounded in time: its events' entity fetches come whenever events do.
    onSubscribe({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (request) deadline.lift(request);
    },
    onSubgraphExecute({ subgraphName, executor, setExecutor }) {
      setExecutor(
        asExecutor((request) =>
          deadline.remainingMs(request) <= 0 ? failureResult(subgraphName, 'deadline') : executor(request),
        ),
      );
    },
  };
}
