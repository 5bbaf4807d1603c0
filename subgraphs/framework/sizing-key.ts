import { Kind, visit, type DocumentNode } from 'graphql';

/** Arguments that bound how many items a list (or the connection around it) returns. */
export const SLICING_ARGUMENTS = ['first', 'last', 'limit'];
/** With the document, the only inputs an operation's cost depends on: list sizes and representations. */
const SIZING_ARGUMENTS = new Set([...SLICING_ARGUMENTS, 'representations']);

interface SizingVariables {
  /** Variables inside `representations`: only how many items they hold counts. */
  counted: string[];
  /** Variables of `first`, `last` and `limit`: their values count. */
  valued: string[];
}

const perDocument = new WeakMap<DocumentNode, SizingVariables>();

function sizingVariables(document: DocumentNode): SizingVariables {
  let known = perDocument.get(document);
  if (known) return known;
  const counted = new Set<string>();
  const valued = new Set<string>();
  visit(document, {
    Argument(argument) {
      if (!SIZING_ARGUMENTS.has(argument.name.value)) return;
      const into = argument.name.value === 'representations' ? counted : valued;
      visit(argument.value, {
        [Kind.VARIABLE]: (variable) => {
          into.add(variable.name.value);
        },
      });
    },
  });
  known = { counted: [...counted], valued: [...valued] };
  perDocument.set(document, known);
  return known;
}

/**
 * What, besides the document, decides the cost of one of its operations: the operation's name and
 * the sizing variables' values (a list's length for representations). Two requests of one document
 * with the same key cost the same, whatever their other variables (filters, ids) hold.
 */
export function sizingKey(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): string {
  const { counted, valued } = sizingVariables(document);
  const values = variables ?? {};
  const parts: unknown[] = [operationName ?? null];
  for (const name of counted) {
    const value = values[name];
    parts.push(Array.isArray(value) ? value.length : value);
  }
  for (const name of valued) parts.push(values[name]);
  return JSON.stringify(parts);
}
