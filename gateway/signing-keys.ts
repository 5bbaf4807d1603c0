import { createRemoteJwksSigningKeyProvider } from '@graphql-hive/gateway';
import { createGraphQLError } from 'graphql-yoga';

/**
 * Access-token keys from the users subgraph's JWKS (cached, rate-limited refetch on unknown kid).
 * The stock provider turns "no key with this kid" into a 500; a token signed by a key we never
 * published is simply not authentic, so it becomes a 401, and an unreachable JWKS a 503.
 */
export function jwksSigningKeys(jwksUri: string) {
  const remote = createRemoteJwksSigningKeyProvider({ jwksUri, cache: true, cacheMaxAge: 10 * 60_000, rateLimit: true });
  return async (kid?: string): Promise<string> => {
    try {
      return await remote(kid);
    } catch (error) {
      if ((error as Error)?.name === 'SigningKeyNotFoundError') {
        throw createGraphQLError('Access token is not signed by a known key', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      }
      throw createGraphQLError('Authentication is not available at the moment', {
        extensions: { code: 'AUTH_UNAVAILABLE', http: { status: 503 } },
        originalError: error as Error,
      });
    }
  };
}
