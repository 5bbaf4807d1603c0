import {
  buildASTSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  type DefinitionNode,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import type { SubgraphSnapshot } from '../db/schema';

export interface ExplorerField {
  coordinate: string;
  name: string;
  type: string;
  description: string | null;
  deprecationReason: string | null;
  /** Subgraphs that resolve it (defined there and not @external). */
  owners: string[];
}

export interface ExplorerType {
  name: string;
  kind: 'object' | 'interface';
  description: string | null;
  fields: ExplorerField[];
}

const FIELD_HOLDERS = new Set<string>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_EXTENSION,
]);

/** Type.field → subgraphs defining the field without @external (what the gateway may route it to). */
export function fieldOwners(subgraphs: SubgraphSnapshot[]): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const subgraph of subgraphs) {
    for (const definition of parse(subgraph.sdl).definitions as DefinitionNode[]) {
      if (!FIELD_HOLDERS.has(definition.kind) || !('fields' in definition)) continue;
      for (const field of definition.fields ?? []) {
        if (!('arguments' in field)) continue;
        if (field.directives?.some((d) => d.name.value === 'external')) continue;
        const coordinate = `${definition.name.value}.${field.name.value}`;
        owners.set(coordinate, [...new Set([...(owners.get(coordinate) ?? []), subgraph.name])]);
      }
    }
  }
  return owners;
}

/** The client-facing API schema's object and interface types with their fields, owners and deprecations. */
export function explorerTypes(apiSdl: string, subgraphs: SubgraphSnapshot[]): ExplorerType[] {
  const schema = buildASTSchema(parse(apiSdl), { assumeValid: true, assumeValidSDL: true });
  const owners = fieldOwners(subgraphs);
  const types = Object.values(schema.getTypeMap()).filter(
    (t: GraphQLNamedType): t is GraphQLObjectType | GraphQLInterfaceType =>
      !t.name.startsWith('__') && (isObjectType(t) || isInterfaceType(t)),
  );
  return types
    .map((type) => {
      const fields = Object.values(type.getFields());
      return {
        name: type.name,
        kind: isObjectType(type) ? ('object' as const) : ('interface' as const),
        description: type.description ?? null,
        fields: fields.map((field) => ({
          coordinate: `${type.name}.${field.name}`,
          name: field.name,
          type: String(field.type),
          description: field.description ?? null,
          deprecationReason: field.deprecationReason ?? null,
          owners: owners.get(`${type.name}.${field.name}`) ?? [],
        })),
      };
    })
    .sort((a, b) => rootFirst(a.name) - rootFirst(b.name) || a.name.localeCompare(b.name));
}

const rootFirst = (name: string) => (['Query', 'Mutation', 'Subscription'].includes(name) ? 0 : 1);
