import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { RunningService } from '../../../kit/service';
import { errorCodes, gql } from '../../../tests/support/graphql';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { createTestIssuer } from '../../../tests/support/tokens';
import catalog from '../../catalog';
import { testSubgraphConfig } from '../../catalog/tests/fixtures';
import { startSubgraph } from '../subgraph';

/**
 * Token verification in every subgraph (catalog here, verifying against a test issuer's JWKS):
 * a correctly signed token is still refused when it lacks `exp`, `iat` or `sub`, or names
 * another issuer or audience.
 */
let database: Awaited<ReturnType<typeof createTempDatabase>>;
let issuer: Awaited<ReturnType<typeof createTestIssuer>>;
let service: RunningService;

beforeAll(async () => {
  database = await createTempDatabase('subgraph_auth');
  issuer = await createTestIssuer();
  service = await startSubgraph(catalog, testSubgraphConfig(database.url, { jwksUrl: issuer.jwksUrl }));
});

afterAll(async () => {
  await service?.stop();
  issuer?.stop();
  await database?.drop();
});

const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({
  sub: crypto.randomUUID(),
  roles: ['BUYER'],
  iss: 'autograph',
  aud: 'autograph-api',
  iat: now(),
  exp: now() + 600,
});
const askWith = async (token: string) => gql(service.url, '{ makes { id } }', {}, { token });

describe('access tokens', () => {
  test('a complete token is accepted', async () => {
    const response = await askWith(await issuer.signClaims(claims()));
    expect(response.errors).toBeUndefined();
  });

  for (const claim of ['exp', 'iat', 'sub', 'iss', 'aud'] as const) {
    test(`without \`${claim}\`: UNAUTHENTICATED`, async () => {
      const { [claim]: _left, ...rest } = claims();
      const response = await askWith(await issuer.signClaims(rest));
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.data ?? null).toBeNull();
    });
  }

  test('an empty subject, another issuer, another audience: UNAUTHENTICATED', async () => {
    for (const change of [{ sub: '' }, { iss: 'someone-else' }, { aud: 'another-api' }, { aud: ['another-api'] }]) {
      expect(errorCodes(await askWith(await issuer.signClaims({ ...claims(), ...change })))).toEqual([
        'UNAUTHENTICATED',
      ]);
    }
  });

  test('expired, or not yet valid: UNAUTHENTICATED', async () => {
    expect(
      errorCodes(await askWith(await issuer.signClaims({ ...claims(), iat: now() - 1200, exp: now() - 600 }))),
    ).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await askWith(await issuer.signClaims({ ...claims(), nbf: now() + 600 })))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});
