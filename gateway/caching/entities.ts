import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { CoercedVariables } from '../operation/variables';
import { collectFields, fragmentsOf, type CollectedField } from '../operation/collect';

/** An entity a response contains: `Offer:42`, or `Offer` with id UNKNOWN_ID when its id was not selected. */
export interface EntityRecord {
  typename: string;
  id?: string | number;
}

/**
 * Stands for "an entity of this type whose id the response does not show" (the client did not
 * select it). A response holding such an object is indexed under `Type:?`, and every invalidation
 * of a `Type:<id>` evicts `Type:?` too: the gateway cannot tell which entity it was, so it
 * assumes it may be the one that changed.
 */
export const UNKNOWN_ID = '?';

/** The field that identifies an entity, as the response cache of envelop assumes. */
const ID_FIELD = 'id';

/**
 * The entities in an executed result, found by reading the data along the operation's own
 * selections. The operation is never rewritten: @envelop/response-cache adds `__typename` and `id`
 * to every selection, which changes a federated query plan (see the README's caching section).
 *
 * - An object's type is its field's type when that is an object type, else the `__typename` the
 *   client selected; unknown, every possible type is recorded with UNKNOWN_ID.
 * - Its id is the `id` the client selected (under any alias); unknown, UNKNOWN_ID.
 * - A null or empty field records the types it could have returned with UNKNOWN_ID, so creating
 *   one evicts the response that showed none.
 */
export function collectEntities(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: CoercedVariables | undefined,
  data: unknown,
): EntityRecord[] {
  const fragments = fragmentsOf(document);
  const found = new Map<string, EntityRecord>();
  const record = (typename: string, id: string | number) => found.set(`${typename}:${id}`, { typename, id });
  const unknownOf = (type: GraphQLNamedType) => {
    for (const member of isAbstractType(type) ? schema.getPossibleTypes(type) : [type]) record(member.name, UNKNOWN_ID);
  };

  // The items of a list share their selections: collect them once per selection set and type.
  const collected = new Map<SelectionSetNode, Map<string | null, ReturnType<typeof collectNow>>>();
  const collect = (selectionSets: SelectionSetNode[], type: GraphQLObjectType | null) => {
    if (selectionSets.length !== 1) return collectNow(selectionSets, type);
    let byType = collected.get(selectionSets[0]!);
    if (!byType) collected.set(selectionSets[0]!, (byType = new Map()));
    let fields = byType.get(type?.name ?? null);
    if (!fields) byType.set(type?.name ?? null, (fields = collectNow(selectionSets, type)));
    return fields;
  };

  /** The fields selected on an item of `type` (null: type unknown, every fragment applies), by response key. */
  const collectNow = (selectionSets: SelectionSetNode[], type: GraphQLObjectType | null) => {
    const fields = new Map<string, CollectedField[]>();
    for (const field of collectFields(schema, fragments, selectionSets, type, variables)) {
      const key = field.node.alias?.value ?? field.node.name.value;
      fields.set(key, [...(fields.get(key) ?? []), field]);
    }
    return fields;
  };

  const visitValue = (value: unknown, type: GraphQLCompositeType, selectionSets: SelectionSetNode[]) => {
    if (value === null || value === undefined) return unknownOf(type);
    if (Array.isArray(value)) {
      if (value.length === 0) unknownOf(type);
      for (const item of value) visitValue(item, type, selectionSets);
      return;
    }
    if (typeof value !== 'object') return;
    visitObject(value as Record<string, unknown>, type, selectionSets);
  };

  const visitObject = (
    object: Record<string, unknown>,
    declared: GraphQLCompositeType,
    selectionSets: SelectionSetNode[],
  ) => {
    let type: GraphQLObjectType | null = isObjectType(declared) ? declared : null;
    if (!type) {
      for (const [key, entries] of collect(selectionSets, null)) {
        if (!entries.some(({ node }) => node.name.value === '__typename')) continue;
        const named = typeof object[key] === 'string' ? schema.getType(object[key] as string) : undefined;
        if (named && isObjectType(named)) type = named;
        break;
      }
    }
    const fields = collect(selectionSets, type);
    if (!type) unknownOf(declared);
    else if (type.getFields()[ID_FIELD] && !isRootType(schema, type)) {
      const idKey = [...fields].find(([, entries]) => entries.some(({ node }) => node.name.value === ID_FIELD))?.[0];
      const id = idKey === undefined ? undefined : object[idKey];
      record(type.name, typeof id === 'string' || typeof id === 'number' ? id : UNKNOWN_ID);
    }
    for (const [key, entries] of fields) {
      // One response key may be selected in several places (fragments): their sub-selections merge.
      const first = entries[0]!;
      const owner = type ?? first.parent;
      const def =
        owner && (isObjectType(owner) || isInterfaceType(owner)) ? owner.getFields()[first.node.name.value] : undefined;
      const childType = def && getNamedType(def.type);
      if (!childType || !isCompositeType(childType)) continue;
      const childSets = entries.flatMap(({ node }) => (node.selectionSet ? [node.selectionSet] : []));
      visitValue(object[key], childType, childSets);
    }
  };

  const root = schema.getRootType(operation.operation);
  if (root && data && typeof data === 'object')
    visitObject(data as Record<string, unknown>, root, [operation.selectionSet]);
  return [...found.values()];
}

function isRootType(schema: GraphQLSchema, type: GraphQLObjectType) {
  return type === schema.getQueryType() || type === schema.getMutationType() || type === schema.getSubscriptionType();
}
