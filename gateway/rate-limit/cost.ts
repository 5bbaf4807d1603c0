import { getNullableType, isListType, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { walkOperation } from './walk';

/** Items a list field is assumed to return when no argument bounds it. */
export const DEFAULT_LIST_SIZE = 10;

/** Arguments that bound how many items a list (or the connection around it) returns. */
const SLICING_ARGUMENTS = ['first', 'last', 'limit'];

/**
 * A query's estimated cost: every field selected costs 1 for each time it will be resolved, i.e.
 * multiplied by the sizes of the lists around it. A list's size is its `first`/`last`/`limit`
 * argument (the schema default when omitted), or `defaultListSize`; a connection's argument sizes
 * the list directly below it (`offers(first: 50) { edges { node { ... } } }` resolves 50 nodes).
 *
 * Hive Gateway's `demandControl` prices the subgraph requests while the plan runs (after earlier
 * subgraphs have already been asked) and sizes lists only through @listSize directives that our
 * subgraphs do not declare; this runs on the client's operation before any work is done.
 */
export function estimateQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  defaultListSize = DEFAULT_LIST_SIZE,
): number {
  let cost = 0;
  walkOperation<{ times: number; sliced?: number }>(schema, document, operation, variables, { times: 1 }, (field, around) => {
    cost += around.times;
    if (!field.def) return { times: around.times };
    const slice = sliceOf(field.def.args.length ? field.args() : undefined);
    if (isListType(getNullableType(field.def.type))) return { times: around.times * (slice ?? around.sliced ?? defaultListSize) };
    return { times: around.times, sliced: slice };
  });
  return cost;
}

function sliceOf(args: Record<string, unknown> | undefined): number | undefined {
  if (!args) return undefined;
  for (const name of SLICING_ARGUMENTS) {
    const value = args[name];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  return undefined;
}
