import type { GatewayPlugin } from '@graphql-hive/gateway';
import {
  getOperationAST,
  type GraphQLError,
  print,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
} from 'graphql';
import { createHash } from 'node:crypto';
import { DEFAULT_LIST_SIZE } from './cost';
import { memoizedQueryCost } from './cost-memo';
import { queryTooComplexError, rateLimitedError, rateLimitUnavailableError, type LimitScope } from './errors';
import { nullRefusedField, withoutFields } from '../operation/refusals';
import { findLimitedFields, type LimitedField } from './field-limits';
import { coercedVariables } from '../operation/variables';
import type { IdentityContext } from './identity';
import type { GatewayMetrics } from '../metrics';
import { createRateLimitMetrics } from './metrics';
import type { LimitRule } from './rules';
import { RateLimitStoreUnavailable, type Charge, type Decision, type RateLimitStore } from './store';

export const DEFAULT_WINDOW_MS = 60_000;
/** Per client (user or address) and window: 100 requests a second on average, far above any UI. */
export const DEFAULT_REQUESTS_PER_WINDOW = 6_000;
/** 100 offer cards with photos, seller and model cost about 5,600; a 100 x 100 nested listing is refused. */
export const DEFAULT_MAX_QUERY_COST = 10_000;
/** Per client and window: fifty of the most expensive queries allowed, thousands of ordinary ones. */
export const DEFAULT_COST_BUDGET = 500_000;
/** Sign-ins, registrations and refreshes per client: a person needs a handful, an attack thousands. */
export const DEFAULT_FIELD_LIMITS = 'Mutation.login=10/60s,Mutation.register=5/60s,Mutation.refreshSession=30/60s';

export interface RateLimitPluginOptions {
  store: RateLimitStore;
  metrics: GatewayMetrics;
  /** Prefix of every budget's key (the deployment's Redis prefix plus a namespace). */
  keyPrefix: string;
  /** Who a request is charged to, or null for no budget (see rate-limit/identity.ts). */
  identify: (context: IdentityContext, request?: Request) => string | null;
  /** Requests per client and window, all operations together; null: no such limit. */
  requests: LimitRule | null;
  /** Requests per client and window for one operation, by operation name or SHA-256 of its text. */
  operations?: ReadonlyMap<string, LimitRule>;
  /** Selections per client and window of one field, by coordinate (`Mutation.login`). */
  fields?: ReadonlyMap<string, LimitRule>;
  /** Query cost per client and window; null: cost is not charged. */
  costBudget: LimitRule | null;
  /** One operation estimated above this is refused with QUERY_TOO_COMPLEX; null: no maximum. */
  maxQueryCost: number | null;
  /** List size assumed when no first/last/limit argument bounds it (default DEFAULT_LIST_SIZE). */
  defaultListSize?: number;
}

type RequestContext = IdentityContext & { request?: Request };
type ScopedCharge = { scope: LimitScope; charge: Charge };

/**
 * Rate limits per client: the verified user, else the client address (rate-limit/identity.ts);
 * exempt clients have no budgets, only the maximum query cost.
 *
 * - Every GraphQL request, answers from the response cache included, spends one unit of the
 *   client's request budget before anything else runs.
 * - An operation about to execute (not answered from the cache: budgets below measure work) is
 *   priced (rate-limit/cost.ts): above `maxQueryCost` it is refused (QUERY_TOO_COMPLEX, 400).
 *   Then, in one atomic step, it spends one unit of its operation's budget if configured (by
 *   name, or the SHA-256 of the query text when unnamed), its cost from the client's cost budget
 *   and one unit per selection of each rate-limited field from that field's budget.
 * - A spent request, operation or cost budget refuses the whole request: HTTP 429 with
 *   Retry-After and a RATE_LIMITED error carrying `retryAfter` (seconds). A spent field budget
 *   cuts that field from the operation (a refused mutation does not run) and returns it as null
 *   with a RATE_LIMITED error beside the rest of the data.
 * - Responses carry the IETF draft RateLimit-Limit / -Remaining / -Reset of the budget closest to
 *   running out (the refusing one on a 429).
 *
 * @envelop/rate-limiter was the candidate for field limits (rules by field through
 * `configByField`, a custom store), but its core reads a field's timestamps and writes them back
 * in two store calls, which replicas interleave, and a refused field fails the whole operation
 * instead of returning partial data.
 */
export function useRateLimit(options: RateLimitPluginOptions): GatewayPlugin {
  const { store, keyPrefix, identify, requests, costBudget, maxQueryCost } = options;
  const operations = options.operations ?? new Map<string, LimitRule>();
  const fields = options.fields ?? new Map<string, LimitRule>();
  const fieldCoordinates = new Set(fields.keys());
  const defaultListSize = options.defaultListSize ?? DEFAULT_LIST_SIZE;
  const measureCost = costBudget !== null || maxQueryCost !== null;
  const estimateQueryCost = memoizedQueryCost(defaultListSize);
  const { rejected, queryCost } = createRateLimitMetrics(options.metrics);
  const headersByRequest = new WeakMap<Request, Decision>();
  const hashes = new WeakMap<DocumentNode, string>();
  /** An unnamed operation's name for RATE_LIMIT_OPERATIONS: the SHA-256 of the text the client sent. */
  const operationHash = (document: DocumentNode, text: unknown) => {
    let hash = hashes.get(document);
    if (!hash)
      hashes.set(
        document,
        (hash = createHash('sha256')
          .update(typeof text === 'string' ? text : print(document))
          .digest('hex')),
      );
    return hash;
  };
  /** Requests refused in onParams, by their context: see onExecutionResult. */
  const refusals = new WeakMap<object, GraphQLError>();

  /** The budget closest to running out (a refusing one first) goes into the response headers. */
  const remember = (request: Request | undefined, decisions: Decision[]) => {
    if (!request) return;
    for (const decision of decisions) {
      const known = headersByRequest.get(request);
      const tighter =
        !known ||
        (known.allowed && (!decision.allowed || decision.remaining / decision.limit < known.remaining / known.limit));
      if (tighter) headersByRequest.set(request, decision);
    }
  };

  /** Charges `charges` (the first `required` together); a refusal is the error to answer with. */
  const charge = async (
    request: Request | undefined,
    charges: ScopedCharge[],
    required = charges.length,
  ): Promise<{ decisions: Decision[]; refusal?: GraphQLError }> => {
    let decisions: Decision[];
    try {
      decisions = await store.consume(
        charges.map((entry) => entry.charge),
        required,
      );
    } catch (error) {
      if (!(error instanceof RateLimitStoreUnavailable)) throw error;
      rejected.unavailable.inc();
      return { decisions: [], refusal: rateLimitUnavailableError() };
    }
    remember(request, decisions.slice(0, required));
    const refused = decisions.slice(0, required).findIndex((decision) => !decision.allowed);
    if (refused < 0) return { decisions };
    const { scope } = charges[refused]!;
    rejected.rateLimited[scope].inc();
    return {
      decisions,
      refusal: rateLimitedError({ scope, retryAfterMs: decisions[refused]!.retryAfterMs, wholeRequest: true }),
    };
  };

  return {
    // Synchronous unless there is something to charge: exempt clients pay no promise.
    onParams({ request, context, setResult }) {
      if (!requests) return;
      const client = identify(context as IdentityContext, request);
      if (client === null) return;
      const charges: ScopedCharge[] = [
        { scope: 'client', charge: { key: `${keyPrefix}client:${client}`, ...requests, cost: 1 } },
      ];
      return charge(request, charges).then(({ refusal }) => {
        if (!refusal) return;
        refusals.set(context, refusal);
        setResult({ errors: [refusal] });
      });
    },

    // A later onParams hook (the response cache on a hit) can replace the refusal; put it back.
    onExecutionResult({ context, setResult }) {
      const refusal = refusals.get(context);
      if (refusal) setResult({ errors: [refusal] });
    },

    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation || (!measureCost && !operations.size && !fieldCoordinates.size)) return undefined;
      const context = args.contextValue as RequestContext & { params?: { query?: unknown } };
      const variables = coercedVariables(
        args.schema,
        operation,
        args.variableValues as Record<string, unknown> | undefined,
        context,
      );
      // Variables that do not coerce: execution refuses the request with its own error.
      if (!variables) return undefined;

      const cost = measureCost ? estimateQueryCost(args.schema, args.document, operation, variables) : 0;
      if (measureCost) queryCost.observe(cost);
      if (maxQueryCost !== null && cost > maxQueryCost) {
        rejected.tooComplex.inc();
        setResultAndStopExecution({ errors: [queryTooComplexError(cost, maxQueryCost)] });
        return undefined;
      }

      const client = identify(context, context.request);
      if (client === null) return undefined;
      const required: ScopedCharge[] = [];
      if (operations.size) {
        const name = operation.name?.value ?? operationHash(args.document, context.params?.query);
        const rule = operations.get(name);
        if (rule)
          required.push({
            scope: 'operation',
            charge: { key: `${keyPrefix}operation:${name}:${client}`, ...rule, cost: 1 },
          });
      }
      if (costBudget && cost > 0)
        required.push({ scope: 'cost', charge: { key: `${keyPrefix}cost:${client}`, ...costBudget, cost } });
      const limited = fieldCoordinates.size
        ? [...findLimitedFields(args.schema, args.document, operation, variables, fieldCoordinates)]
        : [];
      const perField: ScopedCharge[] = limited.map(([coordinate, selections]) => ({
        scope: 'field',
        charge: {
          key: `${keyPrefix}field:${coordinate}:${client}`,
          ...fields.get(coordinate)!,
          cost: selections.length,
        },
      }));
      if (!required.length && !perField.length) return undefined;

      return charge(context.request, [...required, ...perField], required.length).then(({ decisions, refusal }) => {
        if (refusal) {
          setResultAndStopExecution({ errors: [refusal] });
          return undefined;
        }
        const fieldDecisions = decisions.slice(required.length);
        const refusedFields = limited.flatMap(([, selections], i) =>
          fieldDecisions[i]!.allowed ? [] : selections.map((field) => ({ field, decision: fieldDecisions[i]! })),
        );
        if (!refusedFields.length) return undefined;
        rejected.rateLimited.field.inc(refusedFields.length);
        args.document = withoutFields(args.document, new Set<FieldNode>(refusedFields.map(({ field }) => field.node)));
        return {
          onExecuteDone({
            result,
            setResult,
          }: {
            result: ExecutionResult | AsyncIterable<ExecutionResult>;
            setResult: (result: ExecutionResult) => void;
          }) {
            if (!result || Symbol.asyncIterator in result) return;
            setResult(withRefusedFields(result, refusedFields));
          },
        };
      });
    },

    onResponse({ request, response }) {
      const decision = headersByRequest.get(request);
      if (!decision) return;
      response.headers.set('RateLimit-Limit', String(decision.limit));
      response.headers.set('RateLimit-Remaining', String(decision.remaining));
      response.headers.set('RateLimit-Reset', String(Math.ceil(decision.resetMs / 1000)));
    },
  };
}

/** The executed result with each refused field null and a RATE_LIMITED error at each place it was. */
function withRefusedFields(
  result: ExecutionResult,
  refused: { field: LimitedField; decision: Decision }[],
): ExecutionResult {
  let data = result.data as Record<string, unknown> | null | undefined;
  const errors: GraphQLError[] = [...(result.errors ?? [])];
  for (const { field, decision } of refused) {
    data = nullRefusedField(data, field, (path) =>
      errors.push(
        rateLimitedError({
          scope: 'field',
          coordinate: field.coordinate,
          retryAfterMs: decision.retryAfterMs,
          wholeRequest: false,
          path,
          nodes: [field.node],
        }),
      ),
    );
  }
  return { ...result, data, errors };
}
