import { createRemoteJwksSigningKeyProvider } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';
import { generateKeyPairSync } from 'node:crypto';

/**
 * A public key whose private half was thrown away at start: no token verifies against it.
 * The JWT plugin turns any provider failure into a 500 ("authentication not available"), but a
 * token naming a key we never published is simply not authentic. Answering with this key makes
 * verification fail the ordinary way: 401 UNAUTHENTICATED.
 */
const NO_SUCH_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();

/** Access-token keys from the users subgraph's JWKS (cached; refetched, rate-limited, on an unknown kid). */
export function jwksSigningKeys(jwksUri: string) {
  const remote = createRemoteJwksSigningKeyProvider({
    jwksUri,
    cache: true,
    cacheMaxAge: 10 * 60_000,
    rateLimit: true,
  });
  return async (kid?: string): Promise<string> => {
    try {
      return await remote(kid);
    } catch (error) {
      if ((error as Error)?.name === 'SigningKeyNotFoundError') return NO_SUCH_KEY;
      throw error; // JWKS unreachable: the plugin answers that authentication is unavailable
    }
  };
}

/** What the JWT plugin throws, as a plain Error, when no signing key could be fetched. */
const KEYS_UNAVAILABLE_MESSAGE = 'Authentication is not available at the moment.';

/**
 * The JWT plugin swallows a key provider's failure and throws a plain Error instead, which error
 * masking would turn into a 500. It is our outage, not the caller's fault, and retrying helps:
 * 503 AUTH_UNAVAILABLE, as the subgraphs answer in the same situation.
 */
export function signingKeysUnavailable(error: unknown): GraphQLError | undefined {
  if (!(error instanceof Error) || error instanceof GraphQLError || error.message !== KEYS_UNAVAILABLE_MESSAGE)
    return undefined;
  return new GraphQLError('Authentication is not available at the moment; try again shortly', {
    extensions: { code: 'AUTH_UNAVAILABLE', http: { status: 503 } },
  });
}
