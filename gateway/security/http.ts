import type { GatewayConfig } from '@graphql-hive/gateway';

/**
 * Headers that mark a request as sent by a script rather than a plain form or link (a cross-site
 * form cannot send them): any one of them satisfies CSRF prevention (Yoga's own, and the two
 * Apollo clients send). The one list for Yoga's `csrfPrevention` and the response cache's fast path.
 */
export const CSRF_HEADERS = [
  'x-graphql-csrf',
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'x-apollo-operation-name',
] as const;

/** Always forwarded: subgraphs verify the caller's token themselves. */
export const ALWAYS_PROPAGATED = ['authorization'] as const;

/** Headers the gateway's own HTTP client owns; forwarding a client's value would break or smuggle requests. */
const NEVER_PROPAGATED = new Set([
  'host',
  'connection',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'accept-encoding',
  'proxy-authorization',
  'x-request-id',
]);

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/;

/** PROPAGATE_HEADERS → lower-case header names, or the reason it is wrong. */
export function headerAllowList(list: string): { headers: string[]; problem?: string } {
  const headers = [
    ...new Set(
      list
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  const invalid = headers.find((name) => !HEADER_NAME.test(name));
  if (invalid) return { headers, problem: `"${invalid}" is not a header name` };
  const forbidden = headers.find((name) => NEVER_PROPAGATED.has(name));
  if (forbidden) return { headers, problem: `"${forbidden}" cannot be propagated to subgraphs` };
  return {
    headers: [
      ...ALWAYS_PROPAGATED,
      ...headers.filter((name) => !(ALWAYS_PROPAGATED as readonly string[]).includes(name)),
    ],
  };
}

/** The allowed headers the client sent, for Hive Gateway's `propagateHeaders.fromClientToSubgraphs`. */
export function propagatedHeaders(request: Request, allowed: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of allowed) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return headers;
}

/** CORS_ORIGINS → origins ("*" for any, [] for none), or the reason it is wrong. */
export function parseCorsOrigins(value: string): { origins: string[]; problem?: string } {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === 'none') return { origins: [] };
  const origins = trimmed
    .split(',')
    .map((origin) => origin.trim().toLowerCase().replace(/\/$/, ''))
    .filter(Boolean);
  const invalid = origins.find((origin) => origin !== '*' && !ORIGIN.test(origin));
  if (invalid)
    return { origins, problem: `"${invalid}" is not an origin like https://app.example.com (or "*", or "none")` };
  return { origins: origins.includes('*') ? ['*'] : origins };
}

/**
 * Yoga's CORS options for these origins: none → no CORS headers at all (browsers refuse
 * cross-origin reads). Access tokens travel in the Authorization header, never in cookies, so
 * credentials are not allowed; `x-request-id` is readable so a browser app can report it.
 */
export function corsOptions(origins: string[]): GatewayConfig<Record<string, any>>['cors'] {
  if (origins.length === 0) return false;
  return {
    // With one listed origin Yoga answers it whatever the caller's origin is; browsers then refuse a mismatch.
    origin: origins,
    methods: ['GET', 'POST'],
    credentials: false,
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  };
}

/** What a client may send as its own request id: anything else is replaced by a generated one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A client-chosen `x-request-id` is echoed in the response, sent to subgraphs and written to
 * every log line of the request: one that is long or carries other characters (newlines, JSON,
 * 5,000 characters) is dropped before Hive Gateway reads it, and Hive generates one instead.
 * Called by the HTTP shell (gateway/server.ts) before the runtime sees the request: Hive's
 * request-id plugin runs before any plugin of ours.
 */
export function boundRequestId(request: Request): void {
  const id = request.headers.get(REQUEST_ID_HEADER);
  if (id !== null && !REQUEST_ID.test(id)) request.headers.delete(REQUEST_ID_HEADER);
}
