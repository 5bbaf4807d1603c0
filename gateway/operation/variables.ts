import type { GatewayPlugin } from '@graphql-hive/gateway';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** An operation's variables as execution will see them: coerced to their types, defaults applied. */
export type CoercedVariables = Readonly<Record<string, unknown>>;

type Coercion = { coerced: CoercedVariables } | { errors: readonly GraphQLError[] };

const coercionByRequest = new WeakMap<object, Map<OperationDefinitionNode, Coercion>>();

/**
 * The request's variables coerced against the operation's definitions (graphql-js
 * `getVariableValues`), once per request and operation: the cost estimate, field limits, the
 * response cache and `@skip`/`@include` all read them, so `query ($n: Int = 100)` is priced at
 * 100 like a literal, and `@include(if: $b)` with `$b: Boolean = false` is honoured instead of
 * failing. `request` is any object that lives as long as the request (its context).
 */
function coerce(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown> | null | undefined,
  request: object,
): Coercion {
  let byOperation = coercionByRequest.get(request);
  if (!byOperation) coercionByRequest.set(request, (byOperation = new Map()));
  let coercion = byOperation.get(operation);
  if (!coercion) {
    const result = getVariableValues(schema, operation.variableDefinitions ?? [], raw ?? {}, { maxErrors: 50 });
    coercion = result.errors ? { errors: result.errors } : { coerced: result.coerced };
    byOperation.set(operation, coercion);
  }
  return coercion;
}

/** The coerced variables, or null when they do not coerce (useVariableErrors refuses such a request). */
export function coercedVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown> | null | undefined,
  request: object,
): CoercedVariables | null {
  const coercion = coerce(schema, operation, raw, request);
  return 'coerced' in coercion ? coercion.coerced : null;
}

/**
 * Variables that do not coerce are refused before anything else reads them, with the errors
 * execution itself would give (same messages and locations, no data, HTTP 200 as stock Hive
 * Gateway answers) plus the code every error of this API carries: BAD_USER_INPUT.
 */
export function useVariableErrors(): GatewayPlugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation?.variableDefinitions?.length) return;
      const coercion = coerce(
        args.schema,
        operation,
        args.variableValues as Record<string, unknown> | undefined,
        args.contextValue as object,
      );
      if (!('errors' in coercion)) return;
      setResultAndStopExecution({
        errors: coercion.errors.map(
          (error) =>
            new GraphQLError(error.message, {
              nodes: error.nodes,
              originalError: error.originalError,
              extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
            }),
        ),
      });
    },
  };
}
