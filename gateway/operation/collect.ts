import {
  isAbstractType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { CoercedVariables } from './variables';
import { isIncluded } from './walk';

/** A field selected on an item, and the type its selection was written on (a fragment's condition). */
export interface CollectedField {
  node: FieldNode;
  parent: GraphQLNamedType | undefined;
}

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return fragments;
}

/**
 * The fields that selection sets select on an item of the concrete type `type`, as execution
 * collects them: @skip/@include read with the coerced variables, a fragment only where its type
 * condition applies to `type`, each named fragment once. With `type` null (an abstract item whose
 * type is unknown) every fragment applies.
 */
export function collectFields(
  schema: GraphQLSchema,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  selectionSets: readonly SelectionSetNode[],
  type: GraphQLObjectType | null,
  variables: CoercedVariables | undefined,
): CollectedField[] {
  const fields: CollectedField[] = [];
  const spread = new Set<string>();
  const add = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined) => {
    for (const selection of selectionSet.selections) {
      if (!isIncluded(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        fields.push({ node: selection, parent });
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (spread.has(selection.name.value)) continue;
        spread.add(selection.name.value);
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!fragment) continue;
      const condition = fragment.typeCondition
        ? (schema.getType(fragment.typeCondition.name.value) ?? undefined)
        : parent;
      if (type && condition && !appliesTo(schema, condition, type)) continue;
      add(fragment.selectionSet, condition);
    }
  };
  for (const selectionSet of selectionSets) add(selectionSet, type ?? undefined);
  return fields;
}

/** Whether a fragment on `condition` applies to an item of the concrete type `type`. */
function appliesTo(schema: GraphQLSchema, condition: GraphQLNamedType, type: GraphQLObjectType): boolean {
  return condition === type || (isAbstractType(condition) && schema.isSubType(condition, type));
}
