import { defaultBuildResponseCacheKey } from '@envelop/response-cache';
import { createHash } from 'node:crypto';

/**
 * What a cached response is keyed on besides variables, operation name and session: the
 * document's identity. A document sent as text is identified by its SHA-256, which is exactly the
 * hash Apollo-style persisted queries send (`extensions.persistedQuery.sha256Hash`), so a query
 * cached from its text is found again by its hash alone. `documentId` requests (Hive's trusted
 * documents) are identified by that id.
 *
 * The text wins whenever a request carries one: a client sending some text with the hash of
 * another document can only ever fill the entry of the text it sent, never another's.
 */
export interface DocumentIdentity {
  id: string;
  /** True when the request carried no document text: only a hash or a document id. */
  byHash: boolean;
}

interface RequestParams {
  query?: unknown;
  extensions?: unknown;
  documentId?: unknown;
}

export function documentIdentity(params: RequestParams, request: Request): DocumentIdentity | null {
  if (typeof params.query === 'string' && params.query.length > 0)
    return { id: textIdentity(params.query), byHash: false };
  // The same two conventions Hive Gateway's persisted documents read (Apollo's, then Hive's).
  const persisted = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)
    ?.persistedQuery;
  if (persisted?.version === 1 && typeof persisted.sha256Hash === 'string' && persisted.sha256Hash)
    return { id: `sha256:${persisted.sha256Hash}`, byHash: true };
  const documentId =
    typeof params.documentId === 'string'
      ? params.documentId
      : request.method === 'GET'
        ? new URL(request.url).searchParams.get('documentId')
        : null;
  if (documentId) return { id: `documentId:${documentId}`, byHash: true };
  return null;
}

export function textIdentity(query: string): string {
  return `sha256:${createHash('sha256').update(query).digest('hex')}`;
}

/** The cache key: the library's own key function over the document's identity instead of its text. */
export function responseCacheKey(
  identity: string,
  operationName: string | null | undefined,
  variables: unknown,
  session: string | null | undefined,
) {
  return defaultBuildResponseCacheKey({
    documentString: identity,
    operationName,
    variableValues: (variables ?? undefined) as Record<string, unknown> | undefined,
    sessionId: session ?? null,
  });
}
