import type { GatewayPlugin } from '@graphql-hive/gateway';
import { asExecutor, type SubgraphExecutionRequest } from './subgraph-call';

/**
 * Bounds one attempt of a subgraph call: past `limitMs(request)` milliseconds the call's fetch is
 * aborted and the attempt fails with a TimeoutError (useSubgraphFailures turns it into a
 * GATEWAY_TIMEOUT on the subgraph's paths). No limit (undefined): the call runs unbounded.
 *
 * Hand-written rather than Hive's `useUpstreamTimeout`, which per call builds two
 * `AbortSignal.timeout`s (its fetch hook does not recognise the request copy its own executor
 * made), two `AbortSignal.any`s and a deferred raced against the call: 0.13 ms of CPU per request
 * in the profile (perf/results/profile-offer-list-2hop.md). Here: one timer, one controller.
 */
export function useSubgraphTimeout(limitMs: (request: SubgraphExecutionRequest) => number | undefined): GatewayPlugin {
  return {
    onSubgraphExecute({ executor, setExecutor }) {
      setExecutor(
        asExecutor((request: SubgraphExecutionRequest) => {
          const limit = limitMs(request);
          if (limit === undefined) return executor(request);
          const controller = new AbortController();
          const timedOut = new DOMException(`subgraph call timed out after ${limit} ms`, 'TimeoutError');
          let timer: ReturnType<typeof setTimeout> | undefined;
          const expiry = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              controller.abort(timedOut);
              reject(timedOut);
            }, limit);
          });
          // The client's own signal (it went away) still aborts the fetch.
          const signal = request.signal ? AbortSignal.any([request.signal, controller.signal]) : controller.signal;
          let call: ReturnType<typeof executor>;
          try {
            call = executor({ ...request, signal });
          } catch (error) {
            clearTimeout(timer);
            throw error;
          }
          if (!(call instanceof Promise)) {
            clearTimeout(timer);
            return call;
          }
          return Promise.race([call, expiry]).finally(() => clearTimeout(timer));
        }),
      );
    },
  };
}
