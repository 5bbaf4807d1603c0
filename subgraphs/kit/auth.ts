import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { apiError, unauthenticated, forbidden } from './errors';
import type { BaseContext, Viewer } from './context';

export interface TokenVerifierOptions {
  /** Key set to verify against: remote JWKS for most subgraphs, the local one in users. */
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string;
}

export const ACCESS_TOKEN_ALGORITHM = 'ES256';

export function remoteKeys(jwksUrl: string): JWTVerifyGetKey {
  // jose caches the key set and refetches on an unknown `kid` (key rotation), at most every 30 s.
  return createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
}

/**
 * Subgraphs never trust an identity they did not verify: the gateway forwards the caller's
 * bearer token and each subgraph checks its signature, issuer, audience and expiry itself.
 * No token → anonymous; a bad token → UNAUTHENTICATED for the whole request.
 */
export function createTokenVerifier(options: TokenVerifierOptions) {
  return async function viewerFrom(request: Request): Promise<Viewer | null> {
    const header = request.headers.get('authorization');
    if (!header) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated('Authorization header must be "Bearer <access token>"');
    try {
      const { payload } = await jwtVerify(match[1]!, options.keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [ACCESS_TOKEN_ALGORITHM],
      });
      if (typeof payload.sub !== 'string') throw unauthenticated('Access token has no subject');
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
      return { userId: payload.sub, roles, sessionId: typeof payload.sid === 'string' ? payload.sid : undefined };
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthenticated('Access token has expired');
      if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) throw unauthenticated('Access token is invalid');
      if (error instanceof GraphQLError) throw error;
      // The key set could not be fetched: our outage, not the caller's fault.
      throw apiError('AUTH_UNAVAILABLE', 'Authentication is not available at the moment; try again shortly');
    }
  };
}

export function requireViewer(ctx: BaseContext): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

export function requireRole(ctx: BaseContext, ...roles: string[]): Viewer {
  const viewer = requireViewer(ctx);
  if (!roles.some((role) => viewer.roles.includes(role))) {
    throw forbidden(`Requires one of the roles: ${roles.join(', ')}`);
  }
  return viewer;
}
