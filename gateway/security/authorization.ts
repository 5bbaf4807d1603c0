import type { GatewayConfig, GatewayPlugin } from '@graphql-hive/gateway';
import type { ValidateUserFnParams } from '@envelop/generic-auth';
import { getDirectiveExtensions } from '@graphql-tools/utils';
import { GraphQLError, TypeInfo, getOperationAST, isAbstractType, parse, visit, visitWithTypeInfo, type GraphQLField, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import LRU from 'lru-cache';
import type { GatewayMetrics } from '../metrics';

type GenericAuthOptions = NonNullable<GatewayConfig<Record<string, any>>['genericAuth']>;

/** The verified access-token payload the JWT plugin puts on the context (`context.jwt.payload`). */
interface AccessTokenClaims {
  sub?: string;
  roles?: unknown;
}

type RefusalCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

/**
 * Enforces the access rules subgraphs declare on their fields and types (`@authenticated`,
 * `@requiresScopes`, `@policy`; composed into the supergraph) before the query is planned, so a
 * refused field never reaches a subgraph. Hive Gateway's `genericAuth` (@envelop/generic-auth)
 * does the walking; this decides:
 *
 * - the user is the JWT plugin's verified payload (a bad token was already refused with 401);
 * - a token's scopes are its `roles` claim as is (BUYER, SELLER, DEALER, MODERATOR, ADMIN): no
 *   role implies another, exactly as the resolvers' own `requireRole` checks;
 * - `@requiresScopes(scopes: [["A", "B"], ["C"]])` passes with A and B, or with C;
 * - `@policy` is not evaluated here, so a field carrying it is refused (fail closed);
 * - refused fields are removed and answered `null` with an error (UNAUTHENTICATED without a
 *   token, FORBIDDEN with one) while the rest of the operation runs: partial data, HTTP 200.
 */
export function directiveAuthorization(options: { metrics: GatewayMetrics }): GenericAuthOptions {
  const denials = options.metrics.counter({
    name: 'autograph_gateway_authorization_denials_total',
    help: 'Fields removed from operations by @authenticated / @requiresScopes / @policy, by code.',
    labelNames: ['code'],
  });
  const denied: Record<RefusalCode, { inc(): void }> = { UNAUTHENTICATED: denials.labels({ code: 'UNAUTHENTICATED' }), FORBIDDEN: denials.labels({ code: 'FORBIDDEN' }) };
  return {
    mode: 'protect-granular',
    resolveUserFn: (context: { jwt?: { payload?: AccessTokenClaims } }) => context.jwt?.payload ?? null,
    // Called for anonymous callers too (user null).
    extractScopes: (user: AccessTokenClaims | null) => (Array.isArray(user?.roles) ? user.roles.filter((role): role is string => typeof role === 'string') : []),
    rejectUnauthenticated: false,
    validateUser: (params: ValidateUserFnParams<AccessTokenClaims | null>) => {
      const refused = authorizeField(params);
      if (refused) denied[refused.extensions.code as RefusalCode].inc();
      return refused;
    },
  } as GenericAuthOptions;
}

export function authorizeField(params: ValidateUserFnParams<AccessTokenClaims | null>): GraphQLError | undefined {
  const { user, fieldAuthArgs, typeAuthArgs, typeScopes, fieldScopes, typePolicies, fieldPolicies, userScopes, userPolicies } = params;
  const coordinate = `${params.parentType.name}.${params.field.name}`;
  const scopeRules = [typeScopes, fieldScopes].filter((rule): rule is string[][] => !!rule?.length);
  const policyRules = [typePolicies, fieldPolicies].filter((rule): rule is string[][] => !!rule?.length);
  if (!fieldAuthArgs && !typeAuthArgs && scopeRules.length === 0 && policyRules.length === 0) return undefined;

  if (!user) return refusal(params, 'UNAUTHENTICATED', `Sign in to query ${coordinate}`);
  for (const rule of scopeRules) {
    if (!satisfies(rule, userScopes)) return refusal(params, 'FORBIDDEN', `${coordinate} requires the role(s) ${describe(rule)}`);
  }
  for (const rule of policyRules) {
    if (!satisfies(rule, userPolicies)) return refusal(params, 'FORBIDDEN', `${coordinate} is not available to this user`);
  }
  return undefined;
}

/** Any one inner list fully granted. */
const satisfies = (rule: string[][], granted: string[]) => rule.some((all) => all.every((scope) => granted.includes(scope)));

const describe = (rule: string[][]) => rule.map((all) => all.join(' and ')).join(' or ');

function refusal(params: ValidateUserFnParams<unknown>, code: RefusalCode, message: string): GraphQLError {
  // `path` is generic-auth's own ("@" marks list items): it uses it to null the removed field in the result.
  return new GraphQLError(message, { nodes: [params.fieldNode], path: params.path as (string | number)[], extensions: { code } });
}

/**
 * genericAuth removes each refused field, then every selection left empty: when it refused every
 * field of the operation, no operation is left and the query planner fails on the empty document
 * (an internal error instead of the refusals). This answers such a request without planning;
 * genericAuth's own result hook then nulls each refused field with its error, as for partial data.
 * Runs after genericAuth's onExecute (Hive registers the config's genericAuth before our plugins).
 */
export function useEverythingRefusedAnswer(): GatewayPlugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.selectionSet.selections.length) return;
      setResultAndStopExecution({ data: {} });
    },
  };
}

const PROTECTING_DIRECTIVES = ['authenticated', 'requiresScopes', 'policy'];

/**
 * genericAuth walks every operation's document, field by field, on every request: the largest
 * single cost in the chain (about 13 % of gateway CPU in perf/results/profile-offer-list-2hop.md),
 * even though most operations touch no protected field at all. This answers, once per document
 * text and schema, whether an operation can touch one (any field whose type or definition carries
 * `@authenticated`, `@requiresScopes` or `@policy`; on interfaces and unions, any possible type's),
 * and when it cannot, drops genericAuth's walk for the request. Operations that can still get the
 * full walk. If the library's internals ever change shape, nothing is skipped.
 */
export function useAuthorizationShortcut(options: { metrics: GatewayMetrics }): GatewayPlugin {
  const walks = options.metrics.counter({
    name: 'autograph_gateway_authorization_walks_total',
    help: 'Operations whose fields genericAuth checked (walked) or that could touch no protected field (skipped).',
    labelNames: ['result'],
  });
  const [walked, skipped] = [walks.labels({ result: 'walked' }), walks.labels({ result: 'skipped' })];
  let schema: GraphQLSchema | undefined;
  let verdicts = new LRU<string, boolean>({ max: 2_000 });
  return {
    onSchemaChange({ schema: next }) {
      schema = next;
      verdicts = new LRU<string, boolean>({ max: 2_000 });
    },
    onContextBuilding({ context }) {
      const text = (context as { params?: { query?: unknown } }).params?.query;
      if (!schema || typeof text !== 'string') return;
      const walk = extendedValidationOf(context);
      if (!walk || walk.didRun) return;
      let protectedFields = verdicts.get(text);
      if (protectedFields === undefined) verdicts.set(text, (protectedFields = touchesProtectedField(schema, text)));
      // Only genericAuth's own rule is dropped: any other extended-validation rule still runs.
      const authRule = protectedFields ? -1 : walk.rules.findIndex(isGenericAuthRule);
      if (authRule >= 0) walk.rules.splice(authRule, 1);
      (authRule >= 0 ? skipped : walked).inc();
    },
  };
}

/**
 * genericAuth's validation rule, known by its function's name (the library exports no reference
 * to it). Should the name ever change, nothing matches and every operation is walked: the
 * shortcut can only fail closed.
 */
const isGenericAuthRule = (rule: unknown) => typeof rule === 'function' && rule.name === 'AuthorizationExtendedValidationRule';

/** @envelop/extended-validation keeps the rules of a request under a private symbol on its context. */
function extendedValidationOf(context: object): { rules: unknown[]; didRun: boolean } | undefined {
  const symbol = Object.getOwnPropertySymbols(context).find((candidate) => candidate.description === 'extendedValidationContext');
  const state = symbol && (context as Record<symbol, unknown>)[symbol];
  return state && typeof state === 'object' && Array.isArray((state as { rules?: unknown }).rules) ? (state as { rules: unknown[]; didRun: boolean }) : undefined;
}

export function touchesProtectedField(schema: GraphQLSchema, text: string): boolean {
  let document;
  try {
    document = parse(text);
  } catch {
    return true; // not ours to judge: the ordinary path answers
  }
  const carries = (subject: GraphQLField<unknown, unknown> | GraphQLNamedType) => {
    const directives = getDirectiveExtensions(subject, schema);
    return PROTECTING_DIRECTIVES.some((name) => directives[name]?.length);
  };
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || found) return;
        const owners = isAbstractType(parent) ? [parent, ...schema.getPossibleTypes(parent)] : [parent];
        for (const owner of owners) {
          const field = 'getFields' in owner ? owner.getFields()[node.name.value] : undefined;
          if (carries(owner) || (field && carries(field))) found = true;
        }
      },
    }),
  );
  return found;
}
