import type { GatewayPlugin } from '@graphql-hive/gateway';

export interface SecurityHeadersOptions {
  /** Send Strict-Transport-Security (only behind TLS: set where a proxy terminates HTTPS). */
  hsts: boolean;
}

/** One year, subdomains included: the usual preload-ready value. */
export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/**
 * Response headers every answer gets (OWASP's REST and GraphQL cheat sheets):
 * - `X-Content-Type-Options: nosniff`: a JSON answer is never sniffed into HTML;
 * - `Cache-Control: no-store` on an answer to a request with credentials: no shared cache or
 *   browser keeps a user's data (anonymous answers keep whatever the response cache says);
 * - `Strict-Transport-Security` when HSTS is on.
 */
export function useSecurityHeaders(options: SecurityHeadersOptions): GatewayPlugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('X-Content-Type-Options', 'nosniff');
      if (request.headers.has('authorization') || request.headers.has('cookie'))
        response.headers.set('Cache-Control', 'no-store');
      if (options.hsts) response.headers.set('Strict-Transport-Security', HSTS_VALUE);
    },
  };
}
