import {
  buildASTSchema,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  Kind,
  parse,
  valueFromASTUntyped,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type ValueNode,
} from 'graphql';
import { createYoga } from 'graphql-yoga';

/**
 * A federation subgraph without @apollo/subgraph: that package is CommonJS and would load a second
 * graphql instance next to Yoga's ESM one (see /work/shared/NOTES.md). The gateway gets the
 * supergraph from us, so a subgraph only has to answer its own fields and `_entities`; that is a
 * few lines on top of plain graphql-js.
 */

/** Federation directives every case may use; the link is prepended to each subgraph's SDL. */
const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@requires", "@provides", "@external", "@shareable", "@override", "@inaccessible", "@interfaceObject"])`;

/** Per type: field resolvers, `__resolveReference(representation)` for entities, `__resolveType` for abstract types. */
export type Resolvers = Record<string, Record<string, (...args: any[]) => unknown>>;
/** Custom scalars: how values leave and enter the subgraph. */
export type Scalars = Record<string, { serialize(value: unknown): unknown; parseValue(value: unknown): unknown }>;

export interface SubgraphDefinition {
  name: string;
  /** SDL with federation directives; the `@link` to federation v2.7 is added. */
  typeDefs: string;
  resolvers?: Resolvers;
  scalars?: Scalars;
}

export interface RunningSubgraph {
  name: string;
  url: string;
  /** The SDL composition reads. */
  typeDefs: DocumentNode;
  stop(): Promise<void>;
}

export const subgraphSdl = (definition: SubgraphDefinition) => `${FEDERATION_LINK}\n${definition.typeDefs}`;

/** The executable schema: the subgraph's SDL plus `_Any`, `_Entity`, `_entities` and `_service`. */
export function buildSubgraphSchema(definition: SubgraphDefinition): GraphQLSchema {
  const sdl = subgraphSdl(definition);
  const document = parse(sdl);
  // Entities are the object types with @key (on the definition or an extension).
  const entityNames = new Set<string>();
  let hasQuery = false;
  for (const node of document.definitions) {
    if (node.kind !== Kind.OBJECT_TYPE_DEFINITION && node.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    if (node.name.value === 'Query' && node.kind === Kind.OBJECT_TYPE_DEFINITION) hasQuery = true;
    if (node.directives?.some((directive) => directive.name.value === 'key')) entityNames.add(node.name.value);
  }
  const entityFields = entityNames.size ? '_entities(representations: [_Any!]!): [_Entity]!' : '';
  const extras = `
    scalar _Any
    type _Service { sdl: String! }
    ${entityNames.size ? `union _Entity = ${[...entityNames].join(' | ')}` : ''}
    ${hasQuery ? 'extend type Query' : 'type Query'} { _service: _Service! ${entityFields} }
  `;
  // Federation directives stay unknown to graphql-js: assumeValidSDL keeps them as plain AST.
  const schema = buildASTSchema(parse(`${sdl}\n${extras}`), { assumeValidSDL: true });
  attachResolvers(schema, definition.resolvers ?? {}, definition.scalars ?? {});

  const queryFields = schema.getQueryType()!.getFields();
  queryFields._service!.resolve = () => ({ sdl });
  if (queryFields._entities)
    queryFields._entities.resolve = (_root, args, context, info) =>
      resolveEntities(schema, definition.resolvers ?? {}, args.representations, context, info);
  return schema;
}

function attachResolvers(schema: GraphQLSchema, resolvers: Resolvers, scalars: Scalars) {
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type) throw new Error(`resolvers name a type the SDL lacks: ${typeName}`);
    if ((isInterfaceType(type) || isUnionType(type)) && fields.__resolveType)
      type.resolveType = fields.__resolveType as GraphQLTypeResolver<any, any>;
    if (!isObjectType(type)) continue;
    const typeFields = type.getFields();
    for (const [fieldName, resolve] of Object.entries(fields)) {
      if (fieldName.startsWith('__')) continue;
      if (!typeFields[fieldName]) throw new Error(`resolvers name a field the SDL lacks: ${typeName}.${fieldName}`);
      typeFields[fieldName].resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
    }
  }
  for (const [name, scalar] of Object.entries(scalars)) {
    const type = schema.getType(name);
    if (!isScalarType(type)) throw new Error(`no scalar ${name} in the SDL`);
    // A literal in the query goes through parseValue too, as graphql-js's default parseLiteral does.
    Object.assign(type, {
      serialize: scalar.serialize,
      parseValue: scalar.parseValue,
      parseLiteral: (ast: ValueNode, variables?: Record<string, unknown> | null) =>
        scalar.parseValue(valueFromASTUntyped(ast, variables)),
    });
  }
  const any = schema.getType('_Any');
  if (isScalarType(any))
    Object.assign(any, { parseValue: (value: unknown) => value, serialize: (value: unknown) => value });
}

/**
 * `_entities`: each representation through its type's `__resolveReference` (default: itself),
 * typed for `_Entity`. Each is resolved alone: one that throws becomes an error at
 * `_entities.<i>` (graphql-js reports an Error returned as a list item), its siblings resolve.
 */
function resolveEntities(
  schema: GraphQLSchema,
  resolvers: Resolvers,
  representations: Record<string, any>[],
  context: unknown,
  info: any,
) {
  const resolveEntity = async (representation: Record<string, any>) => {
    const typeName = representation.__typename as string;
    const type = schema.getType(typeName);
    if (!type) throw new GraphQLError(`unknown entity type ${typeName}`);
    const resolveReference = resolvers[typeName]?.__resolveReference;
    const entity = resolveReference ? await resolveReference(representation, context, info) : representation;
    if (entity == null) return entity;
    // An entity interface's reference resolves to one of its implementations.
    let concrete = (entity as any).__typename as string | undefined;
    if (isInterfaceType(type) && !concrete)
      concrete = (await type.resolveType?.(entity, context, info, type)) as string | undefined;
    return { ...(entity as object), __typename: concrete ?? typeName };
  };
  return Promise.all(
    representations.map((representation) => resolveEntity(representation).catch((error: unknown) => error)),
  );
}

/** Serves the subgraph over real HTTP (Bun.serve, port 0) through GraphQL Yoga. */
export function startSubgraph(definition: SubgraphDefinition): RunningSubgraph {
  const yoga = createYoga({
    schema: buildSubgraphSchema(definition),
    graphqlEndpoint: '/graphql',
    logging: false,
    landingPage: false,
    graphiql: false,
  });
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (request) => yoga.fetch(request) });
  return {
    name: definition.name,
    url: `http://127.0.0.1:${server.port}/graphql`,
    typeDefs: parse(subgraphSdl(definition)),
    stop: () => server.stop(true),
  };
}
