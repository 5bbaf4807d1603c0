import { desc } from 'drizzle-orm';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, importPKCS8, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM } from '../framework/auth';
import type { Database } from '../../kit/db';
import { signingKeys, type tables } from './db/schema';

type Db = Database<typeof tables>['db'];

export interface TokenClaims {
  userId: string;
  roles: string[];
  sessionId: string;
}

/**
 * Access-token signing keys. A key from JWT_PRIVATE_KEY wins; otherwise the newest key in
 * users.signing_keys, generated on first start. Keeping keys in the database lets every replica
 * sign and verify with the same set and keeps tokens valid across restarts.
 */
export async function loadSigningKeys(
  db: Db,
  options: { privateKeyPem?: string; keyId: string; issuer: string; audience: string },
) {
  let signer: { kid: string; key: CryptoKey | Uint8Array };
  const publicJwks: JWK[] = [];

  if (options.privateKeyPem) {
    const privateKey = await importPKCS8(options.privateKeyPem, ACCESS_TOKEN_ALGORITHM, { extractable: true });
    const { d: _secret, ...publicJwk } = await exportJWK(privateKey);
    signer = { kid: options.keyId, key: privateKey };
    publicJwks.push({ ...publicJwk, kid: options.keyId });
  } else {
    let [newest] = await db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt)).limit(1);
    if (!newest) {
      const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { extractable: true });
      const kid = randomUUID();
      await db
        .insert(signingKeys)
        .values({ kid, privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) })
        .onConflictDoNothing();
      // Another replica may have won the race: everyone signs with whichever key is newest.
      [newest] = await db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt)).limit(1);
    }
    signer = { kid: newest!.kid, key: await importJWK(newest!.privateJwk as JWK, ACCESS_TOKEN_ALGORITHM) };
  }
  for (const row of await db.select().from(signingKeys)) publicJwks.push({ ...(row.publicJwk as JWK), kid: row.kid });
  const jwks = { keys: publicJwks.map((jwk) => ({ ...jwk, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' })) };

  return {
    jwks,
    /** Verification keys for this process (no HTTP round trip to our own JWKS). */
    localKeySet: createLocalJWKSet(jwks),
    sign(claims: TokenClaims, ttlSeconds: number) {
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      return new SignJWT({ roles: claims.roles, sid: claims.sessionId })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: signer.kid, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(signer.key)
        .then((token) => ({ token, expiresAt }));
    },
  };
}

export type SigningKeys = Awaited<ReturnType<typeof loadSigningKeys>>;
