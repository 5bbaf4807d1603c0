import { createHash, timingSafeEqual } from 'node:crypto';

export interface MetricsAccessOptions {
  /** The path Prometheus scrapes. */
  endpoint: string;
  /** Scrapes must send `Authorization: Bearer <token>`; null: anyone who reaches the port may read. */
  token: string | null;
  /** False: the endpoint is not served on this port at all (404). */
  served: boolean;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Guards /metrics before the gateway runtime sees the request (a fast path of the telemetry
 * concern): metrics name operations, subgraphs and error rates, which are not for every client
 * of a public port. Null lets the request through; everything else on the port is untouched and
 * pays one substring check.
 */
export function metricsAccess(options: MetricsAccessOptions): (request: Request) => Response | null {
  const expected = options.token === null ? null : digest(`Bearer ${options.token}`);
  return (request) => {
    const url = request.url;
    if (!url.includes(options.endpoint) || new URL(url).pathname !== options.endpoint) return null;
    if (!options.served) return new Response('Not Found', { status: 404 });
    if (expected === null) return null;
    // Compared as digests in constant time: the token never leaks through response timing.
    if (timingSafeEqual(digest(request.headers.get('authorization') ?? ''), expected)) return null;
    return new Response('Unauthorized', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } });
  };
}
