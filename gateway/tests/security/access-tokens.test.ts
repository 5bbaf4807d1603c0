import { afterEach, describe, expect, test } from 'bun:test';
import { exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { useAccessTokens } from '../../security/access-tokens';
import { useErrorCodes } from '../../security/use-error-codes';
import { codesOf, createInMemoryGateway, type InMemoryGateway } from '../in-memory';

const gateways: InMemoryGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.dispose()));
});

async function verifyingGateway() {
  const keys = await generateKeyPair('ES256');
  const publicKey = await exportSPKI(keys.publicKey);
  const gateway = createInMemoryGateway({
    plugins: () => [
      ...useAccessTokens({ signingKey: () => publicKey, issuer: 'autograph', audience: 'autograph-api' }),
      useErrorCodes(),
    ],
  });
  gateways.push(gateway);
  const now = Math.floor(Date.now() / 1000);
  const complete: JWTPayload = { sub: 'user-1', iss: 'autograph', aud: 'autograph-api', iat: now, exp: now + 300 };
  const sign = (claims: JWTPayload) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(keys.privateKey);
  const ask = async (claims: JWTPayload) =>
    gateway.graphql('{ secret }', { headers: { authorization: `Bearer ${await sign(claims)}` } });
  return { ask, complete };
}

describe('useAccessTokens', () => {
  test('a token with every required claim is served', async () => {
    const { ask, complete } = await verifyingGateway();
    const answer = await ask(complete);
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
  });

  test.each(['exp', 'iat', 'sub'])(
    'a token without "%s" is refused with 401 UNAUTHENTICATED, as subgraphs refuse it',
    async (claim) => {
      const { ask, complete } = await verifyingGateway();
      const { [claim]: _left, ...claims } = complete;
      const answer = await ask(claims);
      expect(answer.status).toBe(401);
      expect(answer.data).toBeUndefined();
      expect(codesOf(answer)).toEqual(['UNAUTHENTICATED']);
    },
  );

  test('an exp that is not a number is refused too', async () => {
    const { ask, complete } = await verifyingGateway();
    const answer = await ask({ ...complete, exp: 'never' as unknown as number });
    expect(answer.status).toBe(401);
    expect(codesOf(answer)).toEqual(['UNAUTHENTICATED']);
  });
});
