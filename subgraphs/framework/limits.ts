import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  type GraphQLError,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { apiError, type QueryLimitCode } from './errors';
import { SLICING_ARGUMENTS, sizingKey } from './sizing-key';

/** Items a list is assumed to hold when no argument bounds it (as the gateway's cost estimate). */
const DEFAULT_LIST_SIZE = 10;

/** Each limit: a positive number, or 0 to switch that check off. */
export interface SubgraphQueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** Estimated fields resolved (see `measureOperation`). */
  maxCost: number;
  /** Entity representations per request, over every `_entities` field of the operation. */
  maxRepresentations: number;
}

/**
 * Subgraphs apply query limits of their own, like the gateway: a subgraph can be called directly
 * (no GATEWAY_HMAC_SECRET, or a peer), and one `_entities` call can carry any number of
 * representations. The defaults sit above the gateway's (12 / 30 / 2000 / 30, cost 10000): the
 * query planner's documents add `__typename`, inline fragments per entity type and aliases, and a
 * subgraph prices the real number of representations where the gateway assumes 10 per unbounded
 * list (`makes { models { offers(first: 20) } }` is 429 models here, 100 at the gateway).
 */
export const DEFAULT_SUBGRAPH_QUERY_LIMITS: SubgraphQueryLimits = {
  maxDepth: 15,
  maxAliases: 50,
  maxTokens: 5_000,
  maxDirectives: 50,
  maxCost: 50_000,
  maxRepresentations: 1_000,
};

/**
 * GraphQL Armor's depth, alias, token and directive limits (at parse and validation, with our
 * codes instead of Armor's "Syntax Error: …"), then, before execution, the operation's cost and
 * its number of entity representations, both read with the variables coerced.
 */
export function useQueryLimits(limits: Partial<SubgraphQueryLimits> = {}): Plugin[] {
  const { maxDepth, maxAliases, maxTokens, maxDirectives, maxCost, maxRepresentations } = {
    ...DEFAULT_SUBGRAPH_QUERY_LIMITS,
    ...limits,
  };
  const plugins: Plugin[] = [];
  // Tokens are counted while parsing, where there is no validation context to report to: throw.
  if (maxTokens > 0)
    plugins.push(
      maxTokensPlugin({
        n: maxTokens,
        propagateOnRejection: false,
        onReject: [
          (_context, error) => {
            throw limitError('TOO_MANY_TOKENS', error.message);
          },
        ],
      }) as Plugin,
    );
  // Inline fragments (`_entities { ... on User { … } }`) are not a level: only fields are.
  if (maxDepth > 0)
    plugins.push(maxDepthPlugin({ n: maxDepth, flattenFragments: true, ...reportAs('QUERY_TOO_DEEP') }) as Plugin);
  if (maxAliases > 0) plugins.push(maxAliasesPlugin({ n: maxAliases, ...reportAs('TOO_MANY_ALIASES') }) as Plugin);
  if (maxDirectives > 0)
    plugins.push(maxDirectivesPlugin({ n: maxDirectives, ...reportAs('TOO_MANY_DIRECTIVES') }) as Plugin);
  if (maxCost > 0 || maxRepresentations > 0) {
    const withinLimits = new WeakMap<DocumentNode, Set<string>>();
    plugins.push({
      onExecute({ args, setResultAndStopExecution }) {
        // Only answers that passed are remembered: a refusal is measured (and explained) every time.
        const key = sizingKey(args.document, args.operationName, args.variableValues);
        if (withinLimits.get(args.document)?.has(key)) return;
        const measured = measureOperation(args.schema, args.document, args.operationName, args.variableValues);
        if (!measured) return; // variables that do not coerce: execution reports them
        if (maxRepresentations > 0 && measured.representations > maxRepresentations) {
          setResultAndStopExecution({
            errors: [
              limitError(
                'TOO_MANY_REPRESENTATIONS',
                `At most ${maxRepresentations} entity representations per request, got ${measured.representations}`,
              ),
            ],
          });
        } else if (maxCost > 0 && measured.cost > maxCost) {
          setResultAndStopExecution({
            errors: [limitError('QUERY_TOO_COMPLEX', `Query cost ${measured.cost} exceeds the limit of ${maxCost}`)],
          });
        } else remember(withinLimits, args.document, key);
      },
    });
  }
  return plugins;
}

/** Sizing keys remembered per document: enough for the page sizes and batch sizes a client uses. */
const MAX_KEYS_PER_DOCUMENT = 256;

function remember(passed: WeakMap<DocumentNode, Set<string>>, document: DocumentNode, key: string) {
  let keys = passed.get(document);
  if (!keys) passed.set(document, (keys = new Set()));
  if (keys.size < MAX_KEYS_PER_DOCUMENT) keys.add(key);
}

/** Armor's callback options (its types package is not a direct dependency): report, do not throw. */
type ArmorCallbacks = Pick<NonNullable<Parameters<typeof maxDepthPlugin>[0]>, 'propagateOnRejection' | 'onReject'>;

function reportAs(code: QueryLimitCode): ArmorCallbacks {
  return {
    propagateOnRejection: false,
    onReject: [(context, error) => context?.reportError(limitError(code, error.message))],
  };
}

function limitError(code: QueryLimitCode, message: string): GraphQLError {
  return apiError(code, message.replace(/^Syntax Error: /, ''));
}

/**
 * The operation's estimated cost and its entity representations. Hand-written: Armor's cost
 * limit (not installed here either) prices the document alone, and what makes a subgraph request
 * expensive is in its variables: the number of representations and the `first` of the lists
 * under them.
 *
 * Cost is the number of fields execution may resolve: each field costs 1 per time it is resolved,
 * i.e. multiplied by the sizes of the lists around it. A list's size is its `first`/`last`/`limit`
 * argument, a connection's argument sizes the list directly below it (`edges`), `_entities`
 * holds its representations, and any other list DEFAULT_LIST_SIZE. Every type condition of an
 * abstract selection is counted (an over-estimate on `_entities` with mixed types, never an
 * under-estimate). Each selection set is priced once per list size handed to it, so fragments
 * spread many times stay linear in the document's size.
 */
function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): { cost: number; representations: number } | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return null;
  const variables = coerced.coerced;
  const root = schema.getRootType(operation.operation);
  if (!root) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);

  let representations = 0;
  const memo = new Map<SelectionSetNode, Map<string, number>>();

  const priceSet = (selectionSet: SelectionSetNode, type: GraphQLNamedType, sliced: number | undefined): number => {
    const key = `${type.name}|${sliced ?? ''}`;
    const known = memo.get(selectionSet)?.get(key);
    if (known !== undefined) return known;
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += priceField(selection, type, sliced);
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
        if (condition) total += priceSet(fragment.selectionSet, condition, sliced);
      }
    }
    if (!memo.has(selectionSet)) memo.set(selectionSet, new Map());
    memo.get(selectionSet)!.set(key, total);
    return total;
  };

  const priceField = (field: FieldNode, parent: GraphQLNamedType, sliced: number | undefined): number => {
    if (field.name.value.startsWith('__')) return 0;
    if (!isObjectType(parent) && !isInterfaceType(parent)) return 1;
    const definition = parent.getFields()[field.name.value];
    if (!definition) return 1;
    const args = getArgumentValues(definition, field, variables);
    const own = SLICING_ARGUMENTS.map((name) => args[name]).find((value): value is number => typeof value === 'number');
    const isList = isListType(getNullableType(definition.type));
    let size = 1;
    if (field.name.value === '_entities' && Array.isArray(args.representations)) {
      size = args.representations.length;
      representations += size;
    } else if (isList) {
      size = Math.max(0, own ?? sliced ?? DEFAULT_LIST_SIZE);
    }
    const child = field.selectionSet
      ? priceSet(field.selectionSet, getNamedType(definition.type), isList ? undefined : own)
      : 0;
    return size * (1 + child);
  };

  const cost = operation.selectionSet ? priceSet(operation.selectionSet, root, undefined) : 0;
  return { cost, representations };
}
