import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * An operation type the supergraph does not have (a `subscription` where no subgraph offers one)
 * is the client's mistake: refused at validation as GRAPHQL_VALIDATION_FAILED (HTTP 400 for
 * GraphQL-over-HTTP clients), where stock Hive Gateway lets the query planner fail on it and
 * answers a masked internal error with HTTP 500. graphql-js has no such rule: execution reports it.
 */
export const SupportedOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(
      new GraphQLError(`This API has no ${node.operation} operations.`, {
        nodes: [node],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    );
  },
});

export function useSupportedOperationTypes(): GatewayPlugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(SupportedOperationTypesRule);
    },
  };
}
