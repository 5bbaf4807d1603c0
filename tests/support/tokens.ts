import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

/**
 * A stand-in token issuer for subgraph tests that run without the users subgraph: a real ES256
 * key pair and a real JWKS endpoint on an ephemeral port, so subgraphs verify tokens exactly as
 * in production.
 */
export async function createTestIssuer(options: { issuer?: string; audience?: string; kid?: string } = {}) {
  const kid = options.kid ?? 'test-key';
  const issuer = options.issuer ?? 'autograph';
  const audience = options.audience ?? 'autograph-api';
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json({ keys: [jwk] }) });
  return {
    issuer,
    audience,
    jwksUrl: `http://127.0.0.1:${server.port}/.well-known/jwks.json`,
    /** Signs an access token for `userId`; `expiresIn` accepts jose durations ('15m') or epoch seconds. */
    sign(userId: string, roles: string[] = ['BUYER', 'SELLER'], expiresIn: string | number = '15m') {
      return new SignJWT({ roles })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey);
    },
    /** Signs exactly `claims` (no defaults: leave one out to see it refused). */
    signClaims(claims: JWTPayload) {
      return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
    },
    stop: () => server.stop(true),
  };
}
