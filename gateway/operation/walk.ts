import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { CoercedVariables } from './variables';

export interface VisitedField {
  node: FieldNode;
  /** The type the field is selected on; undefined below meta fields (`__schema`, `__type`). */
  parentType: GraphQLNamedType | undefined;
  /** Undefined for meta fields and on unions (only `__typename`). */
  def: GraphQLField<unknown, unknown> | undefined;
  responseKey: string;
  /** The field's argument values, defaults and variables applied (computed on demand). */
  args(): Record<string, unknown>;
}

/**
 * Walks the fields an operation selects, following fragments and honouring @skip/@include, the
 * way execution would meet them. `enter` returns the state its sub-selection is walked with, or
 * undefined to skip it. Runs after validation, so fragments exist and do not cycle.
 */
export function walkOperation<T>(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: CoercedVariables | undefined,
  initial: T,
  enter: (field: VisitedField, state: T) => T | undefined,
): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const included = (node: SelectionNode) => isIncluded(node, variables);

  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined, state: T) => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const def =
          parentType && (isObjectType(parentType) || isInterfaceType(parentType))
            ? parentType.getFields()[selection.name.value]
            : undefined;
        const field: VisitedField = {
          node: selection,
          parentType,
          def,
          responseKey: selection.alias?.value ?? selection.name.value,
          args: () => {
            if (!def?.args.length) return {};
            try {
              return getArgumentValues(def, selection, variables as Record<string, unknown> | undefined);
            } catch {
              return {}; // execution reports bad arguments itself
            }
          },
        };
        const next = enter(field, state);
        if (next !== undefined && selection.selectionSet)
          walk(selection.selectionSet, def ? getNamedType(def.type) : undefined, next);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(
          selection.selectionSet,
          selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? undefined) : parentType,
          state,
        );
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment)
          walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined, state);
      }
    }
  };
  walk(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, initial);
}

/**
 * Whether @skip/@include keep a selection, read with the operation's coerced variables (defaults
 * applied): the raw request variables lack defaulted ones, which graphql-js refuses to read.
 */
export function isIncluded(node: SelectionNode, variables: CoercedVariables | undefined): boolean {
  if (!node.directives?.length) return true;
  const values = variables as Record<string, unknown> | undefined;
  try {
    return (
      getDirectiveValues(GraphQLSkipDirective, node, values)?.if !== true &&
      getDirectiveValues(GraphQLIncludeDirective, node, values)?.if !== false
    );
  } catch {
    return true; // a variable that does not coerce: execution refuses the request itself
  }
}
