import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** What the response cache needs to know of an operation before running it, read once per document. */
export interface DocumentPolicy {
  /** The shortest TTL (ms) of the fields and types the operation may return; undefined: none set. */
  ttl: number | undefined;
  /** It may return a private coordinate (the viewer's data): anonymous callers get it uncached. */
  private: boolean;
}

/**
 * Introspection is never cached (as @envelop/response-cache does): its answer is cheap and exact.
 * Nor are data exports and the audit log (personal data must not outlive an erasure in a shared
 * cache) or an erasure's progress (it changes while the client polls).
 */
const NEVER_CACHED: Record<string, number> = {
  'Query.__schema': 0,
  'Query.exportMyData': 0,
  'Query.auditLog': 0,
  'Query.erasureStatus': 0,
};

/**
 * The TTL and privacy of an operation, from its text alone: every field it selects (`Query.offers`)
 * and every type those fields may return (`Offer`, or each member of a union or interface). This
 * reads the document, never the data, so nothing is added to the operation the planner sees.
 * Taking every possible type of an abstract field is conservative: the shortest TTL any answer
 * could need.
 */
export function documentPolicy(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  ttlPerCoordinate: Readonly<Record<string, number>>,
  privateCoordinates: ReadonlySet<string>,
): DocumentPolicy {
  const ttls = { ...NEVER_CACHED, ...ttlPerCoordinate };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  let ttl: number | undefined;
  let isPrivate = false;
  const seen = new Set<string>();
  const note = (coordinate: string) => {
    if (seen.has(coordinate)) return;
    seen.add(coordinate);
    const own = ttls[coordinate];
    if (own !== undefined) ttl = ttl === undefined ? own : Math.min(ttl, own);
    if (privateCoordinates.has(coordinate)) isPrivate = true;
  };
  const noteType = (type: GraphQLNamedType) => {
    note(type.name);
    if (isAbstractType(type)) for (const member of schema.getPossibleTypes(type)) note(member.name);
  };

  // What a selection set notes depends only on it and its type: each pair is read once, so a
  // fragment spread in many places costs nothing more.
  const visited = new Map<SelectionSetNode, Set<string | undefined>>();
  const visit = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined) => {
    let types = visited.get(selectionSet);
    if (!types) visited.set(selectionSet, (types = new Set()));
    if (types.has(parentType?.name)) return;
    types.add(parentType?.name);
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!parentType || !(isObjectType(parentType) || isInterfaceType(parentType))) {
          if (parentType) note(`${parentType.name}.${selection.name.value}`);
          continue;
        }
        note(`${parentType.name}.${selection.name.value}`);
        const def = parentType.getFields()[selection.name.value];
        if (!def) continue;
        const type = getNamedType(def.type);
        if (isCompositeType(type)) noteType(type);
        if (selection.selectionSet) visit(selection.selectionSet, type);
        continue;
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!fragment) continue;
      const condition = fragment.typeCondition
        ? (schema.getType(fragment.typeCondition.name.value) ?? undefined)
        : parentType;
      if (condition) noteType(condition);
      visit(fragment.selectionSet, condition);
    }
  };
  const root = schema.getRootType(operation.operation);
  if (root) visit(operation.selectionSet, root);
  return { ttl, private: isPrivate };
}
