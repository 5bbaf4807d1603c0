import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * The fields selected on the nodes of a connection (`edges { node { … } }`), for reading only
 * the columns they need; null when they cannot be told (then read everything). Fragments are
 * followed and `@skip`/`@include` ignored (a field that might be selected counts): a superset,
 * never fewer fields than execution resolves. Computed once per field in a document (Yoga's
 * parse cache hands repeated queries the same nodes).
 */
export function connectionNodeFields(info: GraphQLResolveInfo): ReadonlySet<string> | null {
  const field = info.fieldNodes[0]!;
  const known = perField.get(field);
  if (known !== undefined && info.fieldNodes.length === 1) return known;
  const fields = new Set<string>();
  const collect = (selectionSet: SelectionSetNode | undefined, path: readonly string[]): boolean => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (path.length === 0) fields.add(selection.name.value);
        else if (selection.name.value === path[0] && !collect(selection.selectionSet, path.slice(1))) return false;
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : info.fragments[selection.name.value];
        if (!fragment || !collect(fragment.selectionSet, path)) return false;
      }
    }
    return true;
  };
  const complete = info.fieldNodes.every((node) => collect(node.selectionSet, ['edges', 'node']));
  const result = complete ? fields : null;
  if (info.fieldNodes.length === 1) perField.set(field, result);
  return result;
}

const perField = new WeakMap<FieldNode, ReadonlySet<string> | null>();
