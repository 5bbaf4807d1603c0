import type { GatewayPlugin } from '@graphql-hive/gateway';
import { getDirectiveExtensions } from '@graphql-tools/utils';
import {
  getOperationAST,
  GraphQLError,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { GatewayMetrics } from '../metrics';
import { nullRefusedField, withoutFields, type RefusedField, type Step } from '../operation/refusals';
import { walkOperation } from '../operation/walk';

/** The verified access-token payload the JWT plugin puts on the context (`context.jwt.payload`). */
interface AccessTokenClaims {
  sub?: string;
  roles?: unknown;
}

type RefusalCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

/** What a field requires, from `@authenticated`, `@requiresScopes` and `@policy` on it and its type. */
interface Requirement {
  authenticated: boolean;
  /** Each entry must be satisfied: any one inner list held in full. */
  scopes: string[][][];
  policy: boolean;
}

interface Refusal extends RefusedField {
  code: RefusalCode;
  message: string;
}

/** One operation's verdict for one kind of caller, computed once. */
interface Decision {
  /** The operation can touch a protected field at all (metrics: walked or skipped). */
  protectedFields: boolean;
  refused: Refusal[];
  /** The operation with each refused field replaced by a slot (see operation/refusals.ts). */
  document: DocumentNode;
}

/**
 * Enforces the access rules subgraphs declare on their fields and types (`@authenticated`,
 * `@requiresScopes`, `@policy`; composed into the supergraph) before the query is planned, so a
 * refused field never reaches a subgraph:
 * - the user is the JWT plugin's verified payload (a bad token was already refused);
 * - a token's scopes are its `roles` claim as is (BUYER, SELLER, DEALER, MODERATOR, ADMIN): no
 *   role implies another, exactly as the resolvers' own `requireRole` checks;
 * - `@requiresScopes(scopes: [["A", "B"], ["C"]])` passes with A and B, or with C;
 * - `@policy` is not evaluated here, so a field carrying it is refused (fail closed);
 * - a field on an interface or union is protected when any possible type's field is (as the
 *   Apollo Router reads these directives);
 * - a refused field is answered `null` with an error at each place it would have been
 *   (UNAUTHENTICATED without a token, FORBIDDEN with one), nulls propagating through non-null
 *   types as execution's do, while the rest of the operation runs: partial data, HTTP 200.
 *
 * Written here rather than with @envelop/generic-auth (Hive's `genericAuth`): that library removes
 * a refused field's parent when nothing else is selected under it and then writes an object where
 * the parent was, so a list came back as an object and an entity that does not exist as one that
 * does; and it walks every operation on every request. Here the refused field keeps a slot, its
 * parent is fetched as usual, and the verdict is computed once per document and kind of caller
 * (the same rewritten document each time, so the planner's cache keeps working).
 */
export function useFieldAuthorization(options: { metrics: GatewayMetrics }): GatewayPlugin {
  const denials = options.metrics.counter({
    name: 'autograph_gateway_authorization_denials_total',
    help: 'Fields refused by @authenticated / @requiresScopes / @policy, by code.',
    labelNames: ['code'],
  });
  const denied: Record<RefusalCode, { inc(): void }> = {
    UNAUTHENTICATED: denials.labels({ code: 'UNAUTHENTICATED' }),
    FORBIDDEN: denials.labels({ code: 'FORBIDDEN' }),
  };
  const walks = options.metrics.counter({
    name: 'autograph_gateway_authorization_walks_total',
    help: 'Operations that could touch a protected field (walked) or could not (skipped).',
    labelNames: ['result'],
  });
  const [walked, skipped] = [walks.labels({ result: 'walked' }), walks.labels({ result: 'skipped' })];
  const decisions = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, Map<string, Decision>>>();

  function decide(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    user: AccessTokenClaims | null,
  ): Decision {
    let bySchema = decisions.get(schema);
    if (!bySchema) decisions.set(schema, (bySchema = new WeakMap()));
    let byCaller = bySchema.get(operation);
    if (!byCaller) bySchema.set(operation, (byCaller = new Map()));
    const scopes = rolesOf(user);
    const caller = user ? `user:${[...scopes].sort().join(',')}` : 'anonymous';
    let decision = byCaller.get(caller);
    if (!decision)
      byCaller.set(caller, (decision = computeDecision(schema, document, operation, user !== null, scopes)));
    return decision;
  }

  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return undefined;
      const user = (args.contextValue as { jwt?: { payload?: AccessTokenClaims } }).jwt?.payload ?? null;
      const decision = decide(args.schema, args.document, operation, user);
      (decision.protectedFields ? walked : skipped).inc();
      if (!decision.refused.length) return undefined;
      args.document = decision.document;
      return {
        onExecuteDone({
          result,
          setResult,
        }: {
          result: ExecutionResult | AsyncIterable<ExecutionResult>;
          setResult: (result: ExecutionResult) => void;
        }) {
          if (!result || Symbol.asyncIterator in result) return;
          setResult(withRefusals(result, decision.refused, denied));
        },
      };
    },
  };
}

function rolesOf(user: AccessTokenClaims | null): string[] {
  return Array.isArray(user?.roles) ? user.roles.filter((role): role is string => typeof role === 'string') : [];
}

function computeDecision(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  signedIn: boolean,
  scopes: string[],
): Decision {
  const refused: Refusal[] = [];
  let protectedFields = false;
  // Every field, whatever @skip/@include say (no variables here): a refused field the client
  // left out keeps its directives on its slot and so gets neither data nor an error.
  walkOperation<Step[]>(schema, document, operation, undefined, [], (field, steps) => {
    if (!field.def || !field.parentType) return undefined;
    const path = [...steps, { key: field.responseKey, type: field.def.type }];
    const requirement = requirementOf(schema, field.parentType, field.def.name);
    if (!requirement) return path;
    protectedFields = true;
    const coordinate = `${field.parentType.name}.${field.def.name}`;
    const refusal = refusalFor(requirement, coordinate, signedIn, scopes);
    if (!refusal) return path;
    refused.push({ node: field.node, steps: path, ...refusal });
    return undefined; // nothing under a refused field runs
  });
  return {
    protectedFields,
    refused,
    document: refused.length ? withoutFields(document, new Set(refused.map((refusal) => refusal.node))) : document,
  };
}

function refusalFor(
  requirement: Requirement,
  coordinate: string,
  signedIn: boolean,
  scopes: string[],
): { code: RefusalCode; message: string } | null {
  if (!signedIn) return { code: 'UNAUTHENTICATED', message: `Sign in to query ${coordinate}` };
  for (const rule of requirement.scopes) {
    if (!rule.some((all) => all.every((scope) => scopes.includes(scope)))) {
      return {
        code: 'FORBIDDEN',
        message: `${coordinate} requires the role(s) ${rule.map((all) => all.join(' and ')).join(' or ')}`,
      };
    }
  }
  if (requirement.policy) return { code: 'FORBIDDEN', message: `${coordinate} is not available to this user` };
  return null;
}

const requirements = new WeakMap<GraphQLSchema, Map<string, Requirement | null>>();

/** What selecting `fieldName` on `parent` requires, or null when nothing protects it (memoised per schema). */
function requirementOf(schema: GraphQLSchema, parent: GraphQLNamedType, fieldName: string): Requirement | null {
  let bySchema = requirements.get(schema);
  if (!bySchema) requirements.set(schema, (bySchema = new Map()));
  const key = `${parent.name}.${fieldName}`;
  if (bySchema.has(key)) return bySchema.get(key)!;
  const requirement: Requirement = { authenticated: false, scopes: [], policy: false };
  // On an interface or union, the possible types' fields count, not their type-level rules: those
  // apply where the client selects on the type itself (`... on AuditEntry { what }`).
  const owners = isAbstractType(parent) ? [parent, ...schema.getPossibleTypes(parent)] : [parent];
  for (const owner of owners) {
    const field = isObjectType(owner) || isInterfaceType(owner) ? owner.getFields()[fieldName] : undefined;
    const subjects = owner === parent ? [owner, field] : [field];
    for (const subject of subjects) {
      if (!subject) continue;
      const directives = getDirectiveExtensions(subject, schema);
      if (directives.authenticated?.length) requirement.authenticated = true;
      for (const args of directives.requiresScopes ?? [])
        if (Array.isArray(args?.scopes)) requirement.scopes.push(args.scopes as string[][]);
      if (directives.policy?.length) requirement.policy = true;
    }
  }
  const found = requirement.authenticated || requirement.scopes.length > 0 || requirement.policy ? requirement : null;
  bySchema.set(key, found);
  return found;
}

/** The executed result with each refused field null and its error at each place it was. */
function withRefusals(
  result: ExecutionResult,
  refused: Refusal[],
  denied: Record<RefusalCode, { inc(): void }>,
): ExecutionResult {
  let data = result.data as Record<string, unknown> | null | undefined;
  const errors: GraphQLError[] = [...(result.errors ?? [])];
  for (const refusal of refused) {
    data = nullRefusedField(data, refusal, (path) => {
      denied[refusal.code].inc();
      errors.push(
        new GraphQLError(refusal.message, { nodes: [refusal.node], path, extensions: { code: refusal.code } }),
      );
    });
  }
  return { ...result, data, errors };
}

/** Whether any field the document selects (on any possible type) carries a protecting directive. */
export function touchesProtectedField(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  let found = false;
  walkOperation<true>(schema, document, operation, undefined, true, (field) => {
    if (found || !field.def || !field.parentType) return undefined;
    if (requirementOf(schema, field.parentType, field.def.name)) found = true;
    return found ? undefined : true;
  });
  return found;
}
