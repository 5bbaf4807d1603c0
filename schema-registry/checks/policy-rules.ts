import type { Rule } from 'eslint';

/** Arguments that size a page of a list. */
const PAGE_ARGUMENTS = new Set(['first', 'last', 'limit', 'take', 'pageSize']);

interface Named {
  name: { value: string };
}
interface ArgumentNode extends Named {
  defaultValue?: unknown;
}
interface FieldNode extends Named {
  arguments?: ArgumentNode[];
  directives?: (Named & { arguments?: (Named & { value: { kind: string; values?: { value: string }[] } })[] })[];
}

/** The arguments a field's `@listSize(slicingArguments: [...])` (the cost spec federation imports) declares bounded. */
function declaredSlicing(field: FieldNode): Set<string> {
  const listSize = field.directives?.find((d) => d.name.value === 'listSize');
  const slicing = listSize?.arguments?.find((a) => a.name.value === 'slicingArguments');
  return new Set(slicing?.value.values?.map((v) => v.value) ?? []);
}

/**
 * `pagination-bounded`: a page-size argument (`first`, `last`, `limit`, `take`, `pageSize`) needs a
 * default value, so a client that omits it never asks for everything, unless the field's
 * `@listSize(slicingArguments:)` declares the argument. Hand-written: no graphql-eslint rule looks at
 * page sizes (`relay-arguments` only asks that connections have them). The server still clamps the
 * value it is sent; this rule keeps the schema from promising an unbounded page.
 */
export const paginationBounded: Rule.RuleModule = {
  meta: {
    type: 'suggestion',
    docs: { description: 'Page-size arguments have a default value or a @listSize declaration' },
    messages: {
      unbounded:
        'Argument "{{argument}}" of field "{{field}}" sizes a page but has no default value (or @listSize): an omitted value must not mean unbounded',
    },
    schema: [],
  },
  create(context) {
    return {
      FieldDefinition(node: unknown) {
        const field = node as FieldNode;
        const declared = declaredSlicing(field);
        for (const argument of field.arguments ?? []) {
          const name = argument.name.value;
          if (!PAGE_ARGUMENTS.has(name) || argument.defaultValue || declared.has(name)) continue;
          context.report({
            node: argument.name as unknown as Rule.Node,
            messageId: 'unbounded',
            data: { argument: name, field: field.name.value },
          });
        }
      },
    } as Rule.RuleListener;
  },
};
