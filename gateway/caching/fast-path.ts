import { resultWithMetadata } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { GraphQLParams } from 'graphql-yoga';
import LRU from 'lru-cache';
import { CSRF_HEADERS } from '../security/http';
import { documentIdentity } from './cache-key';
import type { CachedText, CacheLevel, ResponseCacheStore } from './store';

export type FastPathParams = GraphQLParams & { documentId?: string };

export interface FastPathOptions {
  store: ResponseCacheStore;
  /** The cache key the response cache itself uses (anonymous scope: session null). */
  keyOf(
    identity: string,
    operationName: string | null | undefined,
    variables: unknown,
    session: null,
  ): Promise<string> | string;
  /** Changes with the supergraph; null before the first one (nothing is answered then). */
  schemaVersion(): string | null;
  statusHeader: string | false;
  exposeExtension: boolean;
  /** The JSON media type to answer with, or null when the client accepts none. */
  mediaTypeOf(request: Request): string | null;
  onHit(request: Request, params: FastPathParams, level: CacheLevel): void;
  onMiss(request: Request): void;
}

interface Lookup {
  key: string;
  params: FastPathParams;
  mediaType: string;
}

interface Prepared {
  body: string;
  headers: Record<string, string>;
  etag?: string;
}

/**
 * The fastest path, before the gateway runtime sees the request at all (gateway/server.ts): an
 * anonymous GET of a persisted query by hash is answered straight from the store. Anything else
 * (a token, a cross-origin request, a GET without a CSRF header, query text, a miss) returns null
 * and takes the ordinary path, whose plugins decide as they always do. Same key, store and
 * anonymous scope as the response cache: invalidation and isolation are identical.
 *
 * The store is asked on every request (so an eviction is seen at once); what is memoised is only
 * pure work: the cache key of a query string (URL and JSON parsing, SHA-256), and the response
 * built from a stored text (parse, strip, serialise) for as long as the store returns that text.
 * A request seen before whose answer is in this process's memory (L1) is answered synchronously:
 * no promise, no Redis.
 */
export function createFastPath(options: FastPathOptions) {
  const lookups = new LRU<string, Lookup | false>({ max: 10_000 });
  // By stored text, then media type: an L1 hit hands back the same string, whose hash is computed once.
  const bodies = new LRU<string, Map<string, Prepared>>({
    max: 1_000,
    maxSize: 64 * 2 ** 20,
    sizeCalculation: (_value, text) => text.length * 4 + 1,
  });

  async function compute(request: Request): Promise<Lookup | false> {
    const search = new URL(request.url).searchParams;
    if (search.has('query')) return false;
    let params: FastPathParams;
    try {
      const json = (name: string) => (search.has(name) ? JSON.parse(search.get(name)!) : undefined);
      params = {
        operationName: search.get('operationName') ?? undefined,
        variables: json('variables'),
        extensions: json('extensions'),
        documentId: search.get('documentId') ?? undefined,
      };
    } catch {
      return false; // malformed JSON: the ordinary path answers with the proper error
    }
    const identity = documentIdentity(params, request);
    const mediaType = identity?.byHash ? options.mediaTypeOf(request) : null;
    if (!identity || !mediaType) return false;
    return { key: await options.keyOf(identity.id, params.operationName, params.variables, null), params, mediaType };
  }

  function prepare(text: string, mediaType: string): Prepared {
    let byType = bodies.get(text);
    const known = byType?.get(mediaType);
    if (known) return known;
    const cached = JSON.parse(text) as ExecutionResult;
    // Yoga's cache stores the entity tag it answers with in `extensions.http`; its result
    // processor turns that into headers, and so does this path (304 for a matching If-None-Match).
    const { http, ...extensions } = (cached.extensions ?? {}) as {
      http?: { headers?: Record<string, string> };
    } & Record<string, unknown>;
    const result = { ...cached, extensions: Object.keys(extensions).length ? extensions : undefined };
    const headers: Record<string, string> = { 'content-type': `${mediaType}; charset=utf-8`, ...http?.headers };
    if (options.statusHeader) headers[options.statusHeader] = 'HIT';
    const prepared = {
      body: JSON.stringify(options.exposeExtension ? resultWithMetadata(result, { hit: true }) : result),
      headers,
      etag: http?.headers?.ETag,
    };
    if (!byType) bodies.set(text, (byType = new Map()));
    byType.set(mediaType, prepared);
    return prepared;
  }

  function respond(request: Request, found: Lookup, cached: CachedText | null): Response | null {
    if (!cached) {
      options.onMiss(request);
      return null;
    }
    options.onHit(request, found.params, cached.level);
    const prepared = prepare(cached.text, found.mediaType);
    if (prepared.etag && request.headers.get('if-none-match') === prepared.etag)
      return new Response(null, { status: 304, headers: prepared.headers });
    return new Response(prepared.body, { headers: prepared.headers });
  }

  function answer(request: Request, found: Lookup): Response | null | Promise<Response | null> {
    const cached = options.store.lookup(found.key);
    return cached instanceof Promise
      ? cached.then((text) => respond(request, found, text))
      : respond(request, found, cached);
  }

  /** Synchronous refusal for everything that cannot be answered here, and for L1 hits of known requests. */
  return function fastPath(request: Request): Response | Promise<Response | null> | null {
    const version = options.schemaVersion();
    if (request.method !== 'GET' || !version || request.headers.has('authorization') || request.headers.has('origin'))
      return null;
    // A cross-site form cannot send these headers: a GET carrying one is not a CSRF attempt.
    if (!CSRF_HEADERS.some((header) => request.headers.has(header))) return null;
    const url = request.url;
    const memoKey = `${version}\n${request.headers.get('accept') ?? ''}\n${url.slice(url.indexOf('?'))}`;
    const known = lookups.get(memoKey);
    if (known === false) return null;
    if (known) return answer(request, known);
    return compute(request).then((found) => {
      lookups.set(memoKey, found);
      return found ? answer(request, found) : null;
    });
  };
}
