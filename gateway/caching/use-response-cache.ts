import type { GatewayPlugin } from '@graphql-hive/gateway';
import { resultWithMetadata, type ResponseCacheExtensions } from '@envelop/response-cache';
import { useResponseCache as useLibraryResponseCache } from '@graphql-yoga/plugin-response-cache';
import { printSchema, type ExecutionResult } from 'graphql';
import { createHash } from 'node:crypto';
import { isAsyncIterable, processRegularResult, type FetchAPI, type GraphQLParams } from 'graphql-yoga';
import { counter } from '../metrics';
import { documentIdentity, responseCacheKey, textIdentity, type DocumentIdentity } from './cache-key';
import { createFastPath, type FastPathParams } from './fast-path';
import type { ResponseCacheStore } from './store';

/** Viewer-specific coordinates: never cached for anonymous callers (signed-in ones have their own scope). */
export const DEFAULT_PRIVATE_COORDINATES = ['Query.me', 'Viewer'];
export const DEFAULT_STATUS_HEADER = 'x-cache';

export interface ResponseCacheOptions {
  store: ResponseCacheStore;
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


const requests = counter({
  name: 'autograph_gateway_response_cache_requests_total',
  help: 'Requests the response cache was consulted for, by result (hit, miss) and path (fast: an anonymous persisted GET answered before the gateway runtime; early: a persisted-document hash answered before any GraphQL processing; standard: looked up before parsing)',
  labelNames: ['result', 'path'],
});
const invalidations = counter({
  name: 'autograph_gateway_response_cache_invalidated_entities_total',
  help: 'Entities (Type:id) whose cached responses a mutation evicted',
});

const verifiedUser = (context: Record<string, any>) => {
  const subject = context?.jwt?.payload?.sub;
  return typeof subject === 'string' ? `user:${subject}` : null;
};

/**
 * Response caching: GraphQL Yoga's response cache plugin (envelop's, with Yoga's lookup in
 * `onParams`, before parsing and validation) on a shared store, plus what the gateway needs
 * around it:
 * - a per-user scope from the verified JWT; a request with a token that nothing verified is
 *   never cached, so a viewer's data cannot land in the shared anonymous scope;
 * - keys on the supergraph and the document's identity (see cache-key.ts), so a persisted
 *   query's hash finds the response cached from its text, and a new supergraph a fresh cache;
 * - an early path: a request carrying only a hash is answered from the cache as soon as its body
 *   is read, before trusted-document lookup, parsing, validation or planning. A miss goes on
 *   through the normal path;
 * - an `x-cache: HIT|MISS` header and metrics; mutations wait for their invalidations.
 */
export function useResponseCache(options: ResponseCacheOptions): GatewayPlugin & { fastPath(request: Request): Promise<Response | null> | null } {
  const { store } = options;
  const sessionOf = options.sessionOf ?? verifiedUser;
  const statusHeader = options.statusHeader ?? DEFAULT_STATUS_HEADER;
  const exposeExtension = options.exposeExtension ?? false;
  const identityByRequest = new WeakMap<Request, DocumentIdentity>();
  // Requests the fast path looked up and missed: the early path does not ask the store again.
  const missedFast = new WeakSet<Request>();
  const statusByRequest = new WeakMap<Request, 'HIT' | 'MISS'>();
  let fetchAPI: FetchAPI;
  // Part of every key: a new supergraph starts a new cache, so no answer outlives the schema it
  // was computed for (introspection included). The same supergraph hashes alike on every replica.
  let schemaVersion: string | null = null;
  const keyOf = (identity: string, operationName: string | null | undefined, variables: unknown, session: string | null | undefined) =>
    responseCacheKey(`${schemaVersion}|${identity}`, operationName, variables, session);

  const enabled = (request: Request, context: Record<string, any>) => !request.headers.has('authorization') || sessionOf(context) !== null;

  async function answerEarly(request: Request, context: Record<string, any>, parsed: unknown) {
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || parsed instanceof fetchAPI.Response) return parsed;
    const params = parsed as GraphQLParams & { documentId?: unknown };
    const identity = documentIdentity(params, request);
    if (!identity) return parsed;
    identityByRequest.set(request, identity);
    const mediaType = identity.byHash && schemaVersion && enabled(request, context) ? regularMediaType(request) : null;
    if (!mediaType || missedFast.has(request)) return parsed;
    const cached = await store.get(await keyOf(identity.id, params.operationName, params.variables, sessionOf(context)));
    if (!cached) return parsed;
    requests.inc({ result: 'hit', path: 'early' });
    statusByRequest.set(request, 'HIT');
    return processRegularResult(exposeExtension ? resultWithMetadata(cached, { hit: true }) : cached, fetchAPI, mediaType);
  }

  const fastPath = createFastPath({
    store,
    keyOf,
    schemaVersion: () => schemaVersion,
    statusHeader,
    exposeExtension,
    mediaTypeOf: regularMediaType,
    onHit: (request, params) => {
      requests.inc({ result: 'hit', path: 'fast' });
      options.onFastHit?.(request, params);
    },
    onMiss: (request) => missedFast.add(request),
  });

  return {
    fastPath,
    onYogaInit({ yoga }) {
      fetchAPI = yoga.fetchAPI;
    },
    onSchemaChange({ schema }) {
      schemaVersion = createHash('sha256').update(printSchema(schema)).digest('hex').slice(0, 16);
    },
    onPluginInit({ addPlugin }) {
      // Yoga's plugin is typed for Yoga's context, the gateway's extends it; same shape at runtime.
      type AddedPlugin = Parameters<typeof addPlugin>[0];
      addPlugin(
        useLibraryResponseCache({
          cache: store,
          session: (_request, context) => sessionOf(context),
          enabled,
          buildResponseCacheKey: ({ documentString, variableValues, operationName, sessionId, request }) =>
            keyOf(identityByRequest.get(request)?.id ?? textIdentity(documentString), operationName, variableValues, sessionId),
          ttl: options.ttlMs,
          ttlPerSchemaCoordinate: options.ttlPerCoordinate ?? {},
          scopePerSchemaCoordinate: Object.fromEntries((options.privateCoordinates ?? DEFAULT_PRIVATE_COORDINATES).map((coordinate) => [coordinate, 'PRIVATE'])),
          // Always on: hit/miss for the header and metrics come from it; removed below unless exposed.
          includeExtensionMetadata: true,
        }) as unknown as AddedPlugin,
      );
    },
    onRequestParse({ request, serverContext, requestParser, setRequestParser }) {
      if (!requestParser) return;
      // Wrapping the parser keeps the body-size limit (it wraps whatever parser is set) and runs
      // after every onRequestParse hook, so security's JWT verification has filled the context.
      const parse = requestParser;
      setRequestParser(async (limited) => answerEarly(request, serverContext as Record<string, any>, await parse(limited)) as ReturnType<typeof parse>);
    },
    onExecutionResult({ request, result, setResult }) {
      if (!result || Array.isArray(result) || isAsyncIterable(result)) return;
      const metadata = (result as ExecutionResult).extensions?.responseCache as ResponseCacheExtensions | undefined;
      if (!metadata) return;
      if ('hit' in metadata) {
        requests.inc({ result: metadata.hit ? 'hit' : 'miss', path: 'standard' });
        statusByRequest.set(request, metadata.hit ? 'HIT' : 'MISS');
      }
      if (!exposeExtension) setResult(withoutResponseCacheExtension(result as ExecutionResult));
      if ('invalidatedEntities' in metadata) {
        invalidations.inc(metadata.invalidatedEntities.length);
        return store.settled();
      }
    },
    onResponse({ request, response }) {
      const status = statusHeader && statusByRequest.get(request);
      if (status) response.headers.set(statusHeader, status);
    },
  };
}

function withoutResponseCacheExtension(result: ExecutionResult): ExecutionResult {
  const { responseCache: _, ...extensions } = result.extensions ?? {};
  const { extensions: __, ...rest } = result;
  return Object.keys(extensions).length ? { ...rest, extensions } : rest;
}

const REGULAR_MEDIA_TYPES = ['application/graphql-response+json', 'application/json'];

/**
 * The JSON media type Yoga would answer this request with (its result-processor negotiation:
 * the client's first acceptable type, `application/json` for wildcards), or null when the client
 * accepts no JSON at all (streams only): the early path leaves those to Yoga.
 */
function regularMediaType(request: Request): string | null {
  const accepted = (request.headers.get('accept') || '*/*').replace(/\s/g, '').toLowerCase().split(',');
  let chosen: string | null = null;
  for (const entry of accepted.reverse()) {
    const [asked = '', ...parameters] = entry.split(';');
    if ((parameters.find((parameter) => parameter.startsWith('charset=')) ?? 'charset=utf-8') !== 'charset=utf-8') continue;
    const [askedMain, askedSub] = asked.split('/');
    for (const offered of REGULAR_MEDIA_TYPES) {
      const [main, sub] = offered.split('/');
      if ((askedMain === '*' || askedMain === main) && (askedSub === '*' || askedSub === sub)) chosen = offered;
    }
  }
  return chosen;
}
