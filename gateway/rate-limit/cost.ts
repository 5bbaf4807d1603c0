import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isAbstractType,
  isInterfaceType,
  isListType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { CoercedVariables } from '../operation/variables';
import { collectFields, fragmentsOf } from '../operation/collect';

/** Items a list field is assumed to return when no argument bounds it. */
export const DEFAULT_LIST_SIZE = 10;

/** Arguments that bound how many items a list (or the connection around it) returns. */
export const SLICING_ARGUMENTS = ['first', 'last', 'limit'];

/**
 * A query's estimated cost, the number of fields execution may resolve:
 * - every field selected costs 1 for each time it will be resolved, i.e. multiplied by the sizes
 *   of the lists around it;
 * - a list's size is its `first`/`last`/`limit` argument (variables coerced, defaults applied;
 *   the schema default when omitted), or `defaultListSize`; a connection's argument sizes the list
 *   directly below it (`offers(first: 50) { edges { node { ... } } }` resolves 50 nodes);
 * - a selection on an abstract type (interface, union) costs what its most expensive possible
 *   concrete type costs, never the sum of its type conditions: an item is one type, so
 *   `... on User { a } ... on Admin { b c }` costs 2, not 3 (as in IBM's GraphQL cost
 *   specification and Hive's demand control).
 *
 * Hive Gateway's `demandControl` prices the subgraph requests while the plan runs (after earlier
 * subgraphs have already been asked) and sizes lists only through @listSize directives that our
 * subgraphs do not declare; this runs on the client's operation before any work is done.
 */
export function estimateQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: CoercedVariables | undefined,
  defaultListSize = DEFAULT_LIST_SIZE,
): number {
  const fragments = fragmentsOf(document);
  const fieldsFor = (selectionSet: SelectionSetNode, type: GraphQLObjectType | null): FieldNode[] =>
    collectFields(schema, fragments, [selectionSet], type, variables).map((field) => field.node);

  // A selection set is priced once per (type, slice): fragments spread in many places and
  // abstract types nested in abstract types stay linear in the document's size.
  const memo = new Map<SelectionSetNode, Map<string, number>>();

  /** The cost of one item of `parentType` with this selection set. */
  const selectionCost = (
    selectionSet: SelectionSetNode,
    parentType: GraphQLNamedType | undefined,
    sliced: number | undefined,
  ): number => {
    const key = `${parentType?.name}|${sliced}`;
    let known = memo.get(selectionSet);
    if (!known) memo.set(selectionSet, (known = new Map()));
    const cached = known.get(key);
    if (cached !== undefined) return cached;
    let cost: number;
    if (parentType && isAbstractType(parentType)) {
      cost = 0;
      for (const type of schema.getPossibleTypes(parentType))
        cost = Math.max(cost, fieldsCost(fieldsFor(selectionSet, type), type, sliced));
    } else {
      cost = fieldsCost(
        fieldsFor(selectionSet, parentType && isObjectType(parentType) ? parentType : null),
        parentType,
        sliced,
      );
    }
    known.set(key, cost);
    return cost;
  };

  const fieldsCost = (
    fields: FieldNode[],
    parentType: GraphQLNamedType | undefined,
    sliced: number | undefined,
  ): number => {
    let cost = 0;
    for (const node of fields) {
      cost += 1;
      const def =
        parentType && (isObjectType(parentType) || isInterfaceType(parentType))
          ? parentType.getFields()[node.name.value]
          : undefined;
      if (!def || !node.selectionSet) continue;
      const slice = def.args.length ? sliceOf(argumentsOf(def, node, variables)) : undefined;
      const childType = getNamedType(def.type);
      if (isListType(getNullableType(def.type)))
        cost += (slice ?? sliced ?? defaultListSize) * selectionCost(node.selectionSet, childType, undefined);
      else cost += selectionCost(node.selectionSet, childType, slice);
    }
    return cost;
  };

  return selectionCost(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, undefined);
}

function argumentsOf(
  def: Parameters<typeof getArgumentValues>[0],
  node: FieldNode,
  variables: CoercedVariables | undefined,
) {
  try {
    return getArgumentValues(def, node, variables as Record<string, unknown> | undefined);
  } catch {
    return undefined; // execution reports bad arguments itself
  }
}

function sliceOf(args: Record<string, unknown> | undefined): number | undefined {
  if (!args) return undefined;
  for (const name of SLICING_ARGUMENTS) {
    const value = args[name];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  return undefined;
}
