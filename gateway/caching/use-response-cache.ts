import type { GatewayPlugin } from '@graphql-hive/gateway';
import { resultWithMetadata } from '@envelop/response-cache';
import {
  getOperationAST,
  printSchema,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { createHash } from 'node:crypto';
import { isAsyncIterable, processRegularResult, type FetchAPI, type GraphQLParams } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics';
import { coercedVariables, type CoercedVariables } from '../operation/variables';
import { documentIdentity, responseCacheKey, textIdentity, type DocumentIdentity } from './cache-key';
import { documentPolicy, type DocumentPolicy } from './document-policy';
import { changedEntitiesOf } from '../../kit/changed-entities';
import { collectEntities, UNKNOWN_ID, type EntityRecord } from './entities';
import { createFastPath, type FastPathParams } from './fast-path';
import { regularMediaType, responseCacheMetrics } from './response-cache-metrics';
import type { CachedText, ResponseCacheStore } from './store';

/** Viewer-specific coordinates: never cached for anonymous callers (signed-in ones have their own scope). */
export const DEFAULT_PRIVATE_COORDINATES = ['Query.me', 'Viewer'];
export const DEFAULT_STATUS_HEADER = 'x-cache';

export interface ResponseCacheOptions {
  store: ResponseCacheStore;
  metrics: GatewayMetrics;
  /** Lifetime of a response that contains nothing with a TTL of its own, in ms. */
  ttlMs: number;
  /** TTLs in ms by type (`Offer`) or field (`Query.offers`); a response lives as long as its shortest. */
  ttlPerCoordinate?: Record<string, number>;
  privateCoordinates?: string[];
  /** Response header carrying HIT or MISS; false for none. */
  statusHeader?: string | false;
  /** Keep the library's `extensions.responseCache` (hit, didCache, ttl, invalidatedEntities) in responses. */
  exposeExtension?: boolean;
  /**
   * The cache scope of a request: its verified user, or null for anonymous callers (who share one).
   * Default: the subject of the JWT that security's `useJWT` verified (`context.jwt.payload.sub`).
   */
  sessionOf?: (context: Record<string, any>) => string | null;
  /** Told of every request the fast path answered (usage reporting counts those too). */
  onFastHit?: (request: Request, params: FastPathParams) => void;
}

const verifiedUser = (context: Record<string, any>) => {
  const subject = context?.jwt?.payload?.sub;
  return typeof subject === 'string' ? `user:${subject}` : null;
};

/** Marks a result served from the cache, as Yoga's response cache does (Hive's OpenTelemetry plugin reads it). */
const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

/** What onExecute decided for a request, carried to onExecutionResult (the final result). */
type Pending =
  | {
      kind: 'store';
      key: string;
      ttl: number;
      schema: GraphQLSchema;
      document: DocumentNode;
      operation: OperationDefinitionNode;
      variables: CoercedVariables;
    }
  | { kind: 'skip' }
  | {
      kind: 'invalidate';
      schema: GraphQLSchema;
      document: DocumentNode;
      operation: OperationDefinitionNode;
      variables: CoercedVariables;
    };

/**
 * Response caching for a federated gateway, on a store shared by every replica.
 *
 * It never changes the operation the query planner sees. @envelop/response-cache (and Yoga's and
 * Hive Gateway's built on it) adds `__typename` and `id` to every selection to find entities; in
 * a gateway that changes the query plan: an interface root such as `node(id:)` fails to plan,
 * `@provides` is bypassed, and a non-null `id` only another subgraph resolves nulls whole
 * entities without an error, which then gets cached. So this plugin is written here:
 * - TTL and privacy are read from the document (document-policy.ts), once per document;
 * - entities for invalidation are read from the result along the client's own selections
 *   (entities.ts): an id the client did not select is recorded as unknown, and evicted by any
 *   change to that type;
 * - only results without errors are stored, exactly as executed.
 *
 * Around it:
 * - a per-user scope from the verified JWT; a request with a token that nothing verified is
 *   never cached, so a viewer's data cannot land in the shared anonymous scope;
 * - keys on the supergraph and the document's identity (see cache-key.ts), so a persisted
 *   query's hash finds the response cached from its text, and a new supergraph a fresh cache;
 * - an early path: a request carrying only a hash is answered from the cache as soon as its body
 *   is read, before trusted-document lookup, parsing, validation or planning, and a fast path
 *   before the runtime (fast-path.ts);
 * - an `x-cache: HIT|MISS` header and metrics; mutations wait for their invalidations.
 */
export function useResponseCache(
  options: ResponseCacheOptions,
): GatewayPlugin & { fastPath(request: Request): Response | Promise<Response | null> | null } {
  const { store } = options;
  const sessionOf = options.sessionOf ?? verifiedUser;
  const statusHeader = options.statusHeader ?? DEFAULT_STATUS_HEADER;
  const exposeExtension = options.exposeExtension ?? false;
  const ttlPerCoordinate = options.ttlPerCoordinate ?? {};
  const privateCoordinates = new Set(options.privateCoordinates ?? DEFAULT_PRIVATE_COORDINATES);
  const identityByRequest = new WeakMap<Request, DocumentIdentity>();
  // Requests the fast path looked up and missed: the early path does not ask the store again.
  const missedFast = new WeakSet<Request>();
  const statusByRequest = new WeakMap<Request, 'HIT' | 'MISS'>();
  const keyByContext = new WeakMap<object, string>();
  const pendingByContext = new WeakMap<object, Pending>();
  // Entities subgraphs said a request changed beyond what its answer shows (kit/changed-entities.ts).
  const declaredByContext = new WeakMap<object, EntityRecord[]>();
  const policies = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, DocumentPolicy>>();
  const { hits, misses, invalidations } = responseCacheMetrics(options.metrics);
  let fetchAPI: FetchAPI;
  // Part of every key: a new supergraph starts a new cache, so no answer outlives the schema it
  // was computed for (introspection included). The same supergraph hashes alike on every replica.
  let schemaVersion: string | null = null;
  const keyOf = (
    identity: string,
    operationName: string | null | undefined,
    variables: unknown,
    session: string | null | undefined,
  ) => responseCacheKey(`${schemaVersion}|${identity}`, operationName, variables, session);

  const enabled = (request: Request, context: Record<string, any>) =>
    !request.headers.has('authorization') || sessionOf(context) !== null;

  const policyOf = (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) => {
    let bySchema = policies.get(schema);
    if (!bySchema) policies.set(schema, (bySchema = new WeakMap()));
    let policy = bySchema.get(operation);
    if (!policy)
      bySchema.set(
        operation,
        (policy = documentPolicy(schema, document, operation, ttlPerCoordinate, privateCoordinates)),
      );
    return policy;
  };

  const hit = (cached: CachedText) => {
    const result = { ...(JSON.parse(cached.text) as ExecutionResult), [SERVED_FROM_CACHE]: true };
    return exposeExtension ? resultWithMetadata(result, { hit: true }) : result;
  };

  async function answerEarly(request: Request, context: Record<string, any>, parsed: unknown) {
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || parsed instanceof fetchAPI.Response)
      return parsed;
    const params = parsed as GraphQLParams & { documentId?: unknown };
    const identity = documentIdentity(params, request);
    if (!identity) return parsed;
    identityByRequest.set(request, identity);
    const mediaType = identity.byHash && schemaVersion && enabled(request, context) ? regularMediaType(request) : null;
    if (!mediaType || missedFast.has(request)) return parsed;
    const cached = await store.lookup(
      await keyOf(identity.id, params.operationName, params.variables, sessionOf(context)),
    );
    if (!cached) return parsed;
    hits.early[cached.level].inc();
    statusByRequest.set(request, 'HIT');
    return processRegularResult(hit(cached), fetchAPI, mediaType);
  }

  const fastPath = createFastPath({
    store,
    keyOf,
    schemaVersion: () => schemaVersion,
    statusHeader,
    exposeExtension,
    mediaTypeOf: regularMediaType,
    onHit: (request, params, level) => {
      hits.fast[level].inc();
      options.onFastHit?.(request, params);
    },
    onMiss: (request) => missedFast.add(request),
  });

  /** Stores a final result (no errors, nothing refused) under the request's key and its entities. */
  function storeResult(pending: Extract<Pending, { kind: 'store' }>, result: ExecutionResult): ExecutionResult {
    const entities = collectEntities(
      pending.schema,
      pending.document,
      pending.operation,
      pending.variables,
      result.data,
    );
    // Yoga's result processor turns `extensions.http.headers` into response headers; the fast
    // path reads the entity tag from the stored text (304 for a matching If-None-Match).
    const stored: ExecutionResult = {
      ...result,
      extensions: {
        ...result.extensions,
        http: { headers: { ETag: pending.key, 'Last-Modified': new Date().toUTCString() } },
      },
    };
    store.set(pending.key, JSON.stringify(stored), entities, pending.ttl);
    return exposeExtension ? resultWithMetadata(stored, { hit: false, didCache: true, ttl: pending.ttl }) : stored;
  }

  /** Evicts what a mutation's result shows it changed; the answer waits until the store has done so. */
  function invalidate(pending: Extract<Pending, { kind: 'invalidate' }>, result: ExecutionResult, context: object) {
    const changed: EntityRecord[] = [];
    for (const entity of declaredByContext.get(context) ?? [])
      changed.push(entity, { typename: entity.typename, id: UNKNOWN_ID });
    for (const entity of collectEntities(
      pending.schema,
      pending.document,
      pending.operation,
      pending.variables,
      result.data,
    )) {
      // An entity whose id the mutation's answer does not show: any response with that type may hold it.
      if (entity.id === UNKNOWN_ID) changed.push({ typename: entity.typename });
      else changed.push(entity, { typename: entity.typename, id: UNKNOWN_ID });
    }
    if (!changed.length) return undefined;
    invalidations.inc(changed.filter((entity) => entity.id !== undefined && entity.id !== UNKNOWN_ID).length);
    store.invalidate(changed);
    return store.settled();
  }

  return {
    fastPath,
    onYogaInit({ yoga }) {
      fetchAPI = yoga.fetchAPI;
    },
    onSchemaChange({ schema }) {
      schemaVersion = createHash('sha256').update(printSchema(schema)).digest('hex').slice(0, 16);
    },
    onRequestParse({ request, serverContext, requestParser, setRequestParser }) {
      if (!requestParser) return;
      // Wrapping the parser keeps the body-size limit (it wraps whatever parser is set) and runs
      // after every onRequestParse hook, so security's JWT verification has filled the context.
      const parse = requestParser;
      setRequestParser(
        async (limited) =>
          answerEarly(request, serverContext as Record<string, any>, await parse(limited)) as ReturnType<typeof parse>,
      );
    },
    // The lookup, before parsing and validation (as Yoga's response cache does it).
    onParams({ params, request, context, setResult }) {
      if (!schemaVersion || !enabled(request, context)) return;
      const identity =
        identityByRequest.get(request)?.id ??
        (typeof params.query === 'string' && params.query ? textIdentity(params.query) : null);
      if (!identity) return;
      return Promise.resolve(keyOf(identity, params.operationName, params.variables, sessionOf(context)))
        .then((key) => {
          keyByContext.set(context, key);
          return store.lookup(key);
        })
        .then((cached) => {
          if (!cached) {
            misses[store.missLevel].inc();
            statusByRequest.set(request, 'MISS');
            return;
          }
          hits.standard[cached.level].inc();
          statusByRequest.set(request, 'HIT');
          setResult(hit(cached));
        });
    },
    onExecute({ args }) {
      const context = args.contextValue as Record<string, any>;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation || operation.operation === 'subscription') return;
      const variables = coercedVariables(
        args.schema,
        operation,
        args.variableValues as Record<string, unknown> | undefined,
        context,
      );
      if (!variables) return;
      if (operation.operation === 'mutation') {
        pendingByContext.set(context, {
          kind: 'invalidate',
          schema: args.schema,
          document: args.document,
          operation,
          variables,
        });
        return;
      }
      // No key: the cache is off for this request (a token nothing verified) or it has no text.
      const key = keyByContext.get(context);
      if (!key) return;
      const policy = policyOf(args.schema, args.document, operation);
      const ttl = policy.ttl ?? options.ttlMs;
      const cacheable = ttl > 0 && (!policy.private || sessionOf(context) !== null);
      pendingByContext.set(
        context,
        cacheable
          ? { kind: 'store', key, ttl, schema: args.schema, document: args.document, operation, variables }
          : { kind: 'skip' },
      );
    },
    // Only while a mutation runs (its invalidation is pending): what subgraphs say to queries is ignored.
    onSubgraphExecute({ executionRequest }) {
      const context = executionRequest.context as object | undefined;
      if (!context || pendingByContext.get(context)?.kind !== 'invalidate') return;
      return ({ result }) => {
        if (isAsyncIterable(result)) return;
        const declared = changedEntitiesOf(result.extensions);
        if (declared.length) declaredByContext.set(context, [...(declaredByContext.get(context) ?? []), ...declared]);
      };
    },
    // After every plugin's onExecuteDone: the result as the client will get it (field refusals included).
    onExecutionResult({ context, result, setResult }) {
      const pending = pendingByContext.get(context);
      if (!pending || !result || Array.isArray(result) || isAsyncIterable(result)) return;
      pendingByContext.delete(context);
      const single = result as ExecutionResult;
      if (pending.kind === 'invalidate')
        return single.errors?.length && !single.data ? undefined : invalidate(pending, single, context);
      if (pending.kind === 'store' && !single.errors?.length) setResult(storeResult(pending, single));
      else if (exposeExtension) setResult(resultWithMetadata(single, { hit: false, didCache: false }));
    },
    onResponse({ request, response }) {
      const status = statusHeader && statusByRequest.get(request);
      if (status) response.headers.set(statusHeader, status);
    },
  };
}
