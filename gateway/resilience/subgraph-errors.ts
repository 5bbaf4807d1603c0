import { GraphQLError, type ExecutionResult } from 'graphql';

/**
 * The errors a client sees when one subgraph cannot answer. They land on the paths that subgraph
 * serves (the other subgraphs' fields still arrive), carry a stable code and name the subgraph, and
 * say nothing of its address or of the query sent to it.
 *
 * They carry no `extensions.http.status` on purpose: a response with partial data is a success at
 * the HTTP level (status 200), as for any other field error.
 */
export const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';
export const GATEWAY_TIMEOUT = 'GATEWAY_TIMEOUT';

/**
 * Why a subgraph call failed. `unreachable` and `timeout` count against the subgraph's circuit;
 * `deadline` (the request ran out of time before or while calling it) and `circuit-open` (the call
 * was never made) do not.
 */
export type SubgraphFailure = 'unreachable' | 'timeout' | 'deadline' | 'circuit-open';

/** Not serialised: lets later plugins classify an error without parsing messages. */
const FAILURE = Symbol('autograph.subgraphFailure');

const MESSAGES: Record<SubgraphFailure, (subgraph: string) => string> = {
  unreachable: (subgraph) =>
    `Subgraph "${subgraph}" is unavailable: it could not be reached or sent no valid GraphQL response`,
  timeout: (subgraph) => `Subgraph "${subgraph}" did not answer in time`,
  deadline: (subgraph) => `Subgraph "${subgraph}" was not queried: the request ran out of time`,
  'circuit-open': (subgraph) =>
    `Subgraph "${subgraph}" is unavailable: its circuit is open after repeated failures; retry later`,
};

export function subgraphError(subgraph: string, failure: SubgraphFailure): GraphQLError {
  const code = failure === 'timeout' || failure === 'deadline' ? GATEWAY_TIMEOUT : SUBGRAPH_UNAVAILABLE;
  const error = new GraphQLError(MESSAGES[failure](subgraph), {
    extensions: { code, serviceName: subgraph, reason: failure },
  });
  Object.defineProperty(error, FAILURE, { value: failure });
  return error;
}

export const failureResult = (subgraph: string, failure: SubgraphFailure): ExecutionResult => ({
  errors: [subgraphError(subgraph, failure)],
});

/** The first failure this module tagged in a result, if any. */
export function failureOf(result: ExecutionResult): SubgraphFailure | undefined {
  for (const error of result.errors ?? []) {
    const failure = (error as { [FAILURE]?: SubgraphFailure })[FAILURE];
    if (failure) return failure;
  }
  return undefined;
}

/**
 * An error the HTTP transport made up (connection refused, non-JSON body, aborted fetch) rather
 * than one the subgraph sent: a GraphQLError wrapping a plain Error. The subgraph's own errors are
 * parsed from its response and wrap nothing.
 */
export function isTransportError(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (!(error instanceof GraphQLError)) return true;
  return error.originalError != null && isTransportError(error.originalError);
}

/** Hive's upstream timeout throws GATEWAY_TIMEOUT; the HTTP executor reports an aborted fetch as TIMEOUT_ERROR. */
export function isTimeoutError(error: unknown): boolean {
  const code = (error as GraphQLError | undefined)?.extensions?.code;
  return code === GATEWAY_TIMEOUT || code === 'TIMEOUT_ERROR' || (error as Error | undefined)?.name === 'TimeoutError';
}
