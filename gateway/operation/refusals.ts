import {
  getNullableType,
  isListType,
  isNonNullType,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLOutputType,
} from 'graphql';

/** One step of a response path: the response key and the field's type there. */
export interface Step {
  key: string;
  type: GraphQLOutputType;
}

/** A field the gateway refuses to run (rate limits, authorization) and where it sits in the response. */
export interface RefusedField {
  node: FieldNode;
  steps: Step[];
}

/**
 * The document with the refused selections replaced by `<responseKey>: __typename`: the gateway
 * never plans them (a refused mutation does not run), the selection sets around them stay valid,
 * and the response keeps a slot that `nullRefusedFields` turns into null.
 */
export function withoutFields(document: DocumentNode, refused: ReadonlySet<FieldNode>): DocumentNode {
  return visit(document, {
    Field(node) {
      if (!refused.has(node)) return undefined;
      const responseKey = node.alias?.value ?? node.name.value;
      // The field's @skip/@include stay on its slot: a field the client left out gets no error.
      return {
        kind: Kind.FIELD,
        alias: { kind: Kind.NAME, value: responseKey },
        name: { kind: Kind.NAME, value: '__typename' },
        directives: node.directives,
      } satisfies FieldNode;
    },
  });
}

/**
 * Sets every place `field` resolved to null, propagating through non-null types the way
 * execution does (a non-null field's parent becomes null, up to `data` itself), and reports each
 * concrete response path. Returns the new `data`.
 */
export function nullRefusedField(
  data: Record<string, unknown> | null | undefined,
  field: RefusedField,
  onPath: (path: (string | number)[]) => void,
) {
  if (!data) return data;
  return nullAt(data, field.steps, 0, [], onPath) ? null : data;
}

/** Returns true when `container` itself must become null. */
function nullAt(
  container: Record<string, unknown>,
  steps: Step[],
  i: number,
  path: (string | number)[],
  onPath: (path: (string | number)[]) => void,
): boolean {
  const step = steps[i]!;
  if (!(step.key in container)) return false; // selected under a type condition this object does not meet
  const here = [...path, step.key];
  let mustNull: boolean;
  if (i === steps.length - 1) {
    mustNull = true;
    onPath(here);
  } else {
    mustNull = nullInValue(container[step.key], step.type, steps, i, here, onPath);
  }
  if (!mustNull) return false;
  container[step.key] = null;
  return isNonNullType(step.type);
}

function nullInValue(
  value: unknown,
  type: GraphQLOutputType,
  steps: Step[],
  i: number,
  path: (string | number)[],
  onPath: (path: (string | number)[]) => void,
): boolean {
  if (value === null || typeof value !== 'object') return false;
  const nullable = getNullableType(type);
  if (!isListType(nullable)) return nullAt(value as Record<string, unknown>, steps, i + 1, path, onPath);
  const items = value as unknown[];
  let mustNull = false;
  items.forEach((item, index) => {
    if (!nullInValue(item, nullable.ofType, steps, i, [...path, index], onPath)) return;
    items[index] = null;
    if (isNonNullType(nullable.ofType)) mustNull = true;
  });
  return mustNull;
}
