import { getVariableValues, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/** An operation's variables as execution will see them: coerced to their types, defaults applied. */
export type CoercedVariables = Readonly<Record<string, unknown>>;

const coercedByRequest = new WeakMap<object, Map<OperationDefinitionNode, CoercedVariables | null>>();

/**
 * The request's variables coerced against the operation's definitions (graphql-js
 * `getVariableValues`), once per request and operation: the cost estimate, field limits and
 * `@skip`/`@include` all read them, so `query ($n: Int = 100)` is priced at 100 like a literal,
 * and `@include(if: $b)` with `$b: Boolean = false` is honoured instead of failing.
 *
 * Null when the variables do not coerce: execution refuses such a request with its own error
 * (BAD_USER_INPUT), so there is nothing to price or charge.
 */
export function coercedVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown> | null | undefined,
  request: object,
): CoercedVariables | null {
  let byOperation = coercedByRequest.get(request);
  if (!byOperation) coercedByRequest.set(request, (byOperation = new Map()));
  if (byOperation.has(operation)) return byOperation.get(operation)!;
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], raw ?? {}, { maxErrors: 1 });
  const coerced = result.coerced ?? null;
  byOperation.set(operation, coerced);
  return coerced;
}
