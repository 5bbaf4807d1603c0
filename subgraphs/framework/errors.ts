import { GraphQLError } from 'graphql';

/**
 * Errors are part of the API: every error a client can act on carries a stable
 * `extensions.code`. Anything else is masked by Yoga before it leaves the subgraph.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'AUTH_UNAVAILABLE'
  | 'TOO_MANY_ATTEMPTS'
  | 'SERVICE_UNAVAILABLE'
  | QueryLimitCode;

/** Operations refused by a query limit (framework/limits.ts), before any resolver runs. */
export type QueryLimitCode =
  | 'QUERY_TOO_DEEP'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_TOKENS'
  | 'TOO_MANY_DIRECTIVES'
  | 'QUERY_TOO_COMPLEX'
  | 'TOO_MANY_REPRESENTATIONS';

const httpStatus: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  AUTH_UNAVAILABLE: 503,
  TOO_MANY_ATTEMPTS: 429,
  SERVICE_UNAVAILABLE: 503,
  QUERY_TOO_DEEP: 400,
  TOO_MANY_ALIASES: 400,
  TOO_MANY_TOKENS: 400,
  TOO_MANY_DIRECTIVES: 400,
  QUERY_TOO_COMPLEX: 400,
  TOO_MANY_REPRESENTATIONS: 400,
};

export function apiError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
  // http.status stays 200 for GraphQL responses; it is informative for the gateway and clients.
  return new GraphQLError(message, { extensions: { code, ...extra, http: { status: 200 }, status: httpStatus[code] } });
}

export const badInput = (message: string, field?: string) =>
  apiError('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (what: string, id: string) => apiError('NOT_FOUND', `${what} ${id} does not exist`, { id });
export const unauthenticated = (message = 'Sign in to do this') => apiError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do this') => apiError('FORBIDDEN', message);
export const conflict = (message: string) => apiError('CONFLICT', message);
/**
 * The subgraph's database cannot be reached (kit/db-errors.ts). Retrying later is safe for a
 * write: its transaction, outbox row included, either committed whole or not at all. (When the
 * connection broke during COMMIT itself the client cannot know which: a create retried without
 * an idempotency key may then create a second offer.)
 */
export const serviceUnavailable = () =>
  apiError('SERVICE_UNAVAILABLE', 'The service cannot reach its database; retry shortly', { retryable: true });

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** IDs are UUIDs in storage; a malformed one can name nothing, so lookups treat it as absent. */
export function isId(value: string): boolean {
  return uuidPattern.test(value);
}

/** For arguments that must name something: a malformed ID is the caller's mistake. */
export function requireId(value: string, field: string): string {
  if (!isId(value)) throw badInput(`${field} is not a valid ID`, field);
  return value.toLowerCase();
}
