import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

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
 * Guards /metrics of every service (the gateway's telemetry fast path, the registry, the
 * subgraphs): metrics name operations, subgraphs, error rates and sign-in throttling, which are
 * not for every client of a port. Null lets the request through; everything else on the port is
 * untouched and pays one substring check.
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

/**
 * `METRICS_TOKEN`: scrapes of /metrics must send `Authorization: Bearer <token>`. In production
 * /metrics is not served without one (metrics are still kept, just not handed to anyone who asks).
 */
export const metricsTokenEnv = {
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
};

/** Who may read /metrics, from `METRICS_TOKEN` and `NODE_ENV`. */
export function metricsAccessFromEnv(raw: { METRICS_TOKEN?: string; NODE_ENV: string }) {
  return {
    token: raw.METRICS_TOKEN ?? null,
    served: raw.METRICS_TOKEN !== undefined || raw.NODE_ENV !== 'production',
  };
}
