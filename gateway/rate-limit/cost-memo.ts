import { Kind, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { CoercedVariables } from '../operation/variables';
import { estimateQueryCost, SLICING_ARGUMENTS } from './cost';

/** Costs kept per document and schema: one per distinct value of the variables that change it. */
const MAX_COSTS_PER_DOCUMENT = 64;

/**
 * `estimateQueryCost`, remembered. A document's cost changes only with the variables that size
 * a list (`first: $n`) or decide a selection (`@include(if: $b)`): those are found once per
 * document, and the cost is kept per value of them. Other variables (a price floor, an id) do
 * not make a request priced again, so a hot query is priced once instead of on every request.
 */
export function memoizedQueryCost(defaultListSize: number) {
  const perDocument = new WeakMap<
    DocumentNode,
    { inputs: string[]; costs: WeakMap<GraphQLSchema, Map<string, number>> }
  >();
  return (
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: CoercedVariables | undefined,
  ): number => {
    let entry = perDocument.get(document);
    if (!entry) perDocument.set(document, (entry = { inputs: costInputs(document), costs: new WeakMap() }));
    let costs = entry.costs.get(schema);
    if (!costs) entry.costs.set(schema, (costs = new Map()));
    const values = variables as Record<string, unknown> | undefined;
    const key = `${operation.name?.value ?? ''}\u0000${entry.inputs.length ? JSON.stringify(entry.inputs.map((name) => values?.[name] ?? null)) : ''}`;
    let cost = costs.get(key);
    if (cost === undefined) {
      cost = estimateQueryCost(schema, document, operation, variables, defaultListSize);
      if (costs.size >= MAX_COSTS_PER_DOCUMENT) costs.clear();
      costs.set(key, cost);
    }
    return cost;
  };
}

/** The variables a document's cost depends on: those given to slicing arguments and to @skip/@include. */
export function costInputs(document: DocumentNode): string[] {
  const names = new Set<string>();
  const add = (value: { kind: Kind; name?: { value: string } }) => {
    if (value.kind === Kind.VARIABLE && value.name) names.add(value.name.value);
  };
  visit(document, {
    Field(node) {
      for (const argument of node.arguments ?? [])
        if (SLICING_ARGUMENTS.includes(argument.name.value)) add(argument.value);
    },
    Directive(node) {
      if (node.name.value !== 'skip' && node.name.value !== 'include') return;
      for (const argument of node.arguments ?? []) add(argument.value);
    },
  });
  return [...names].sort();
}
