import type { GatewayConfig } from '@graphql-hive/gateway';
import type { ValidateUserFnParams } from '@envelop/generic-auth';
import { GraphQLError } from 'graphql';
import { counter } from '../metrics';

type GenericAuthOptions = NonNullable<GatewayConfig<Record<string, any>>['genericAuth']>;

/** The verified access-token payload the JWT plugin puts on the context (`context.jwt.payload`). */
interface AccessTokenClaims {
  sub?: string;
  roles?: unknown;
}

const denied = counter({
  name: 'autograph_gateway_authorization_denials_total',
  help: 'Fields removed from operations by @authenticated / @requiresScopes / @policy, by code.',
  labelNames: ['code'],
});

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
export function directiveAuthorization(): GenericAuthOptions {
  return {
    mode: 'protect-granular',
    resolveUserFn: (context: { jwt?: { payload?: AccessTokenClaims } }) => context.jwt?.payload ?? null,
    // Called for anonymous callers too (user null).
    extractScopes: (user: AccessTokenClaims | null) => (Array.isArray(user?.roles) ? user.roles.filter((role): role is string => typeof role === 'string') : []),
    rejectUnauthenticated: false,
    validateUser: authorizeField,
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

function refusal(params: ValidateUserFnParams<unknown>, code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string): GraphQLError {
  denied.inc({ code });
  // `path` is generic-auth's own ("@" marks list items): it uses it to null the removed field in the result.
  return new GraphQLError(message, { nodes: [params.fieldNode], path: params.path as (string | number)[], extensions: { code } });
}
