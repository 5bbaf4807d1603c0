import type { GatewayPlugin } from '@graphql-hive/gateway';

/** What `onSubgraphExecute` hands a plugin: the call to one subgraph and the executor that makes it. */
export type SubgraphExecutePayload = Parameters<NonNullable<GatewayPlugin['onSubgraphExecute']>>[0];
export type SubgraphExecutionRequest = SubgraphExecutePayload['executionRequest'];
export type SubgraphExecutor = SubgraphExecutePayload['executor'];

/** query, mutation or subscription: set by the query planner, read from the document otherwise. */
export function operationTypeOf(request: SubgraphExecutionRequest): string | undefined {
  if (request.operationType) return request.operationType;
  for (const definition of request.document.definitions)
    if (definition.kind === 'OperationDefinition') return definition.operation;
  return undefined;
}

/**
 * The executor type is generic in its result and context; wrappers that only pass results along
 * (or replace them with errors) are typed for the gateway's requests and cast once, here.
 */
export const asExecutor = (call: (request: SubgraphExecutionRequest) => unknown): SubgraphExecutor =>
  call as SubgraphExecutor;
