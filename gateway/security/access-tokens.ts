import { useJWT, type GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';

/**
 * Claims an access token must carry, as the subgraphs require them (subgraphs/framework/auth.ts):
 * who (`sub`), since and until when (`iat`, `exp`). `iss` and `aud` are checked against the
 * configured values by the JWT plugin itself.
 */
export const REQUIRED_ACCESS_TOKEN_CLAIMS = ['sub', 'iat', 'exp'] as const;

export interface AccessTokenOptions {
  /** Where the verification key of a token's `kid` comes from (the users subgraph's JWKS in production). */
  signingKey: (kid?: string) => string | Promise<string>;
  issuer: string;
  audience: string;
}

/** What the claims lack, or null when the token carries every required claim with a usable value. */
export function missingClaim(payload: Record<string, unknown>): string | null {
  for (const claim of REQUIRED_ACCESS_TOKEN_CLAIMS) {
    const value = payload[claim];
    const usable = claim === 'sub' ? typeof value === 'string' && value.length > 0 : Number.isFinite(value);
    if (!usable) return claim;
  }
  return null;
}

/**
 * Access-token verification at the gateway: Hive's JWT plugin (ES256 only, issuer, audience,
 * expiry when present), then the claims it does not require. jsonwebtoken checks `exp` only when
 * a token has one, so a token signed without it would never expire at the gateway; this refuses
 * it, as the subgraphs do, with 401 UNAUTHENTICATED for the whole request.
 */
export function useAccessTokens(options: AccessTokenOptions): GatewayPlugin[] {
  const jwt = useJWT({
    signingKeyProviders: [options.signingKey],
    tokenVerification: { issuer: options.issuer, audience: options.audience, algorithms: ['ES256'] },
    // Anonymous reads are allowed; a token that is present must be valid.
    reject: { missingToken: false, invalidToken: true },
    // Subgraphs verify the bearer token themselves: no need to send them its payload as well.
    forward: { payload: false },
  });
  const requireClaims: GatewayPlugin = {
    onContextBuilding({ context }) {
      const payload = (context as { jwt?: { payload?: unknown } }).jwt?.payload;
      if (payload === undefined) return;
      const missing =
        payload !== null && typeof payload === 'object' ? missingClaim(payload as Record<string, unknown>) : 'sub';
      if (missing)
        throw new GraphQLError(`Access token has no valid "${missing}" claim`, {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
    },
  };
  // plugin-jwt-auth bundles its own copy of the gateway's types (nominal Logger class), so its
  // plugin type does not unify with this config's; the runtime shapes are the same.
  return [jwt as unknown as GatewayPlugin, requireClaims];
}
