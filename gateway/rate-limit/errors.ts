import { GraphQLError, type ASTNode } from 'graphql';

/** Which budget refused: the client's requests, one operation's, the client's cost budget, one field's. */
export type LimitScope = 'client' | 'operation' | 'cost' | 'field';

/**
 * A spent budget. A whole request refused carries HTTP 429 and Retry-After (Yoga turns
 * `extensions.http` into the response status and headers and leaves it out of the body); a
 * refused field leaves the response at 200 with the rest of the data.
 */
export function rateLimitedError(options: {
  scope: LimitScope;
  retryAfterMs: number;
  wholeRequest: boolean;
  coordinate?: string;
  path?: readonly (string | number)[];
  nodes?: ASTNode[];
}) {
  const retryAfter = Math.max(1, Math.ceil(options.retryAfterMs / 1000));
  const what =
    options.scope === 'field'
      ? `"${options.coordinate}"`
      : options.scope === 'cost'
        ? 'the query cost budget'
        : options.scope === 'operation'
          ? 'this operation'
          : 'requests';
  return new GraphQLError(`Rate limit exceeded for ${what}; retry in ${retryAfter} s`, {
    path: options.path,
    nodes: options.nodes,
    extensions: {
      code: 'RATE_LIMITED',
      retryAfter,
      scope: options.scope,
      ...(options.wholeRequest ? { http: { status: 429, headers: { 'Retry-After': String(retryAfter) } } } : {}),
    },
  });
}

/** A single query estimated above MAX_QUERY_COST: refused before any subgraph is asked. */
export function queryTooComplexError(cost: number, maxCost: number) {
  return new GraphQLError(
    `Query cost ${cost} exceeds the maximum of ${maxCost}; ask for fewer items (first/limit) or fewer nested lists`,
    {
      extensions: { code: 'QUERY_TOO_COMPLEX', cost: { estimated: cost, max: maxCost }, http: { status: 400 } },
    },
  );
}

/** Redis down with RATE_LIMIT_REDIS_DOWN=closed: the gateway cannot tell whether the client may proceed. */
export function rateLimitUnavailableError() {
  return new GraphQLError('Rate limiting is unavailable; try again shortly', {
    extensions: { code: 'RATE_LIMIT_UNAVAILABLE', http: { status: 503, headers: { 'Retry-After': '1' } } },
  });
}
