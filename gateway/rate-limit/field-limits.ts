import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { RefusedField, Step } from '../operation/refusals';
import type { CoercedVariables } from '../operation/variables';
import { walkOperation } from '../operation/walk';

/** Where an operation selects a rate-limited field. */
export interface LimitedField extends RefusedField {
  coordinate: string;
}

/** The selections of fields named in `coordinates` (`Type.field`), grouped by coordinate. */
export function findLimitedFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: CoercedVariables | undefined,
  coordinates: ReadonlySet<string>,
): Map<string, LimitedField[]> {
  const found = new Map<string, LimitedField[]>();
  walkOperation<Step[]>(schema, document, operation, variables, [], (field, steps) => {
    if (!field.def || !field.parentType) return undefined;
    const path = [...steps, { key: field.responseKey, type: field.def.type }];
    const coordinate = `${field.parentType.name}.${field.def.name}`;
    if (coordinates.has(coordinate)) {
      const list = found.get(coordinate) ?? [];
      list.push({ coordinate, node: field.node, steps: path });
      found.set(coordinate, list);
    }
    return path;
  });
  return found;
}
