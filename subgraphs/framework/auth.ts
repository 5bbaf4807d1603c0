import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { SIGNATURE_EXTENSION, signPayload, verifyPayload } from '../../kit/gateway-signature';
import { apiError, unauthenticated, forbidden } from './errors';
import type { BaseContext, Viewer } from './context';

/** Roles an access token can carry (its `roles` claim); the gateway treats them as scopes. */
export const ROLES = ['BUYER', 'SELLER', 'DEALER', 'MODERATOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenVerifierOptions {
  /** Key set to verify against: remote JWKS for most subgraphs, the local one in users. */
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string;
}

export const ACCESS_TOKEN_ALGORITHM = 'ES256';

/**
 * Claims an access token must carry: who (`sub`), since and until when (`iat`, `exp`), by whom and
 * for whom (`iss`, `aud`, which must also equal the configured issuer and audience).
 */
const REQUIRED_CLAIMS = ['sub', 'iat', 'exp', 'iss', 'aud'];

export function remoteKeys(jwksUrl: string): JWTVerifyGetKey {
  // jose caches the key set and refetches on an unknown `kid` (key rotation), at most every 30 s.
  return createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
}

/**
 * Subgraphs never trust an identity they did not verify: the gateway forwards the caller's
 * bearer token and each subgraph checks its signature, issuer, audience and expiry itself; a
 * token without `exp`, `iat` or `sub` is refused.
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
        // jose checks `exp` only when present: a token without one would never expire.
        requiredClaims: REQUIRED_CLAIMS,
      });
      if (typeof payload.sub !== 'string' || payload.sub.length === 0)
        throw unauthenticated('Access token has no subject');
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
      return { userId: payload.sub, roles, sessionId: typeof payload.sid === 'string' ? payload.sid : undefined };
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthenticated('Access token has expired');
      if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout))
        throw unauthenticated('Access token is invalid');
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

export function requireRole(ctx: BaseContext, ...roles: Role[]): Viewer {
  const viewer = requireViewer(ctx);
  if (!roles.some((role) => viewer.roles.includes(role))) {
    throw forbidden(`Requires one of the roles: ${roles.join(', ')}`);
  }
  return viewer;
}

/**
 * Lets a subgraph refuse GraphQL requests that did not come through the gateway. The gateway
 * signs each subgraph request (HMAC-SHA256 over the query and variables, keyed by
 * GATEWAY_HMAC_SECRET) into `extensions["hmac-signature"]`. The library's own validator is a
 * Yoga plugin that fails with a masked 500; this answers 401/403 with a code instead, using the
 * library's serializer so both sides sign exactly the same bytes.
 *
 * Two parts, because Yoga also answers on paths other than /graphql (`/graphql/`, any URL ending
 * in it): `serve` is the /graphql route and checks the signature before Yoga reads the body;
 * `viewerFrom` wraps token verification, which runs for every operation Yoga executes, and
 * refuses any request that did not pass `serve`.
 *
 * Only signed `POST application/json` requests pass: the gateway sends nothing else, and a
 * request this check could not read must not reach Yoga unverified. The signature does not
 * cover the caller's token (subgraphs verify that themselves) and does not expire.
 */
export function createGatewaySignatureGate(secret: string) {
  const verified = new WeakSet<Request>();

  async function refusal(request: Request): Promise<GraphQLError | null> {
    const params = await signedParams(request);
    const signature = params?.extensions?.[SIGNATURE_EXTENSION];
    if (!params || typeof params.query !== 'string' || typeof signature !== 'string') return signatureRequired();
    const valid = verifyPayload(secret, { query: params.query, variables: params.variables }, signature);
    return valid
      ? null
      : signatureError(403, 'GATEWAY_SIGNATURE_INVALID', 'The gateway signature does not match this request');
  }

  return {
    async serve(request: Request, next: (request: Request) => Response | Promise<Response>): Promise<Response> {
      const error = await refusal(request);
      if (error) return Response.json({ errors: [error.toJSON()] }, { status: error.extensions.http!.status });
      verified.add(request);
      return next(request);
    },
    viewerFrom(verify: (request: Request) => Promise<Viewer | null>) {
      return async (request: Request): Promise<Viewer | null> => {
        if (!verified.has(request)) throw signatureRequired();
        return verify(request);
      };
    },
  };
}

/**
 * Signs a GraphQL request the way the gateway does, for services that hold GATEWAY_HMAC_SECRET
 * and call a subgraph directly (the catalog client, the search indexer): send the result as the
 * request's `extensions`.
 */
export function signedExtensions(
  secret: string,
  params: { query: string; variables?: Record<string, unknown> },
): Record<string, string> {
  return { [SIGNATURE_EXTENSION]: signPayload(secret, params) };
}

/**
 * A subgraph that only serves the gateway (GATEWAY_HMAC_SECRET) serves its peers when they sign
 * like it: `params` with the gateway's signature in `extensions`, or unchanged without a secret.
 */
export function withGatewaySignature<P extends { query: string; variables?: Record<string, unknown> }>(
  secret: string | undefined,
  params: P,
) {
  return secret ? { ...params, extensions: signedExtensions(secret, params) } : params;
}

interface SignedParams {
  query?: unknown;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

async function signedParams(request: Request): Promise<SignedParams | null> {
  if (request.method !== 'POST' || !request.headers.get('content-type')?.toLowerCase().startsWith('application/json'))
    return null;
  const body: unknown = await request
    .clone()
    .json()
    .catch(() => null);
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as SignedParams) : null;
}

const signatureRequired = () =>
  signatureError(401, 'GATEWAY_SIGNATURE_REQUIRED', 'This endpoint only serves requests signed by the gateway');

function signatureError(status: 401 | 403, code: string, message: string) {
  return new GraphQLError(message, { extensions: { code, http: { status } } }) as GraphQLError & {
    extensions: { http: { status: number } };
  };
}
