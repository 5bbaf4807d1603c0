import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import users from '..';
import { startSubgraph } from '../../framework';
import type { RunningService } from '../../../kit/service';
import { testSubgraphConfig } from '../../catalog/tests/fixtures';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { createTestIssuer } from '../../../tests/support/tokens';
import { errorCodes, gql, readCounter } from '../../../tests/support/graphql';

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let service: RunningService;
const start = () => startSubgraph(users, testSubgraphConfig(database.url));

const AUTH = 'accessToken refreshToken expiresAt viewer { email roles user { id name kind city } }';
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`;
const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ${AUTH} } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH} } }`;

let counter = 0;
async function register(overrides: Record<string, unknown> = {}) {
  const input = {
    email: `user${++counter}-${Date.now()}@example.com`,
    password: 'long enough password',
    name: 'Anna',
    city: 'Kazan',
    ...overrides,
  };
  const response = await gql(service.url, REGISTER, { input });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return { input, ...response.data.register };
}

beforeAll(async () => {
  database = await createTempDatabase('users');
  service = await start();
});

afterAll(async () => {
  await service?.stop();
  await database?.drop();
});

describe('sign-up and sign-in', () => {
  test('register signs in; me answers with the token, null without', async () => {
    const account = await register({ email: 'Mixed.Case@Example.com' });
    expect(account.viewer.email).toBe('mixed.case@example.com');
    expect(account.viewer.roles).toEqual(['BUYER', 'SELLER']);
    expect(account.viewer.user.kind).toBe('PRIVATE');
    const me = await gql(service.url, '{ me { email user { id } } }', {}, { token: account.accessToken });
    expect(me.data.me).toEqual({ email: 'mixed.case@example.com', user: { id: account.viewer.user.id } });
    expect((await gql(service.url, '{ me { email } }')).data.me).toBeNull();
  });

  test('duplicate e-mail → CONFLICT; bad input → BAD_USER_INPUT', async () => {
    const account = await register();
    const again = await gql(service.url, REGISTER, {
      input: { ...account.input, email: account.input.email.toUpperCase() },
    });
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    const badEmail = await gql(service.url, REGISTER, { input: { ...account.input, email: 'not-an-email' } });
    expect(errorCodes(badEmail)).toEqual(['BAD_USER_INPUT']);
    expect(badEmail.errors![0]!.extensions!.field).toBe('email');
    const shortPassword = await gql(service.url, REGISTER, {
      input: { ...account.input, email: 'new@example.com', password: 'short' },
    });
    expect(errorCodes(shortPassword)).toEqual(['BAD_USER_INPUT']);
  });

  test('login: right password works; wrong password and unknown e-mail fail alike', async () => {
    const account = await register();
    const ok = await gql(service.url, LOGIN, { e: account.input.email, p: account.input.password });
    expect(ok.data.login.viewer.user.id).toBe(account.viewer.user.id);
    const wrong = await gql(service.url, LOGIN, { e: account.input.email, p: 'wrong password!' });
    const unknown = await gql(service.url, LOGIN, { e: 'nobody@example.com', p: 'wrong password!' });
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(unknown.errors![0]!.message).toBe(wrong.errors![0]!.message);
  });
});

describe('tokens and sessions', () => {
  test('the JWKS verifies issued access tokens', async () => {
    const account = await register();
    const keys = createRemoteJWKSet(new URL(`${service.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(account.accessToken, keys, {
      issuer: 'autograph',
      audience: 'autograph-api',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(account.viewer.user.id);
    expect(payload.roles).toEqual(['BUYER', 'SELLER']);
    expect(typeof payload.sid).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  test('refresh rotates; reuse of a rotated token revokes the family', async () => {
    const account = await register();
    const rotated = await gql(service.url, REFRESH, { t: account.refreshToken });
    expect(rotated.errors).toBeUndefined();
    const next = rotated.data.refreshSession.refreshToken;
    expect(next).not.toBe(account.refreshToken);
    const reuse = await gql(service.url, REFRESH, { t: account.refreshToken });
    expect(errorCodes(reuse)).toEqual(['UNAUTHENTICATED']);
    expect(reuse.errors![0]!.message).toContain('revoked');
    expect(errorCodes(await gql(service.url, REFRESH, { t: next }))).toEqual(['UNAUTHENTICATED']);
  });

  test('two concurrent refreshes with one token: exactly one succeeds', async () => {
    const account = await register();
    const results = await Promise.all([1, 2].map(() => gql(service.url, REFRESH, { t: account.refreshToken })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => errorCodes(r)[0] === 'UNAUTHENTICATED')).toHaveLength(1);
  });

  test('logout revokes the session', async () => {
    const account = await register();
    const out = await gql(service.url, 'mutation($t: String!) { logout(refreshToken: $t) }', {
      t: account.refreshToken,
    });
    expect(out.data.logout).toBe(true);
    expect(errorCodes(await gql(service.url, REFRESH, { t: account.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    const unknown = await gql(service.url, 'mutation { logout(refreshToken: "unknown") }');
    expect(unknown.data.logout).toBe(false);
  });

  test('forged and expired tokens → UNAUTHENTICATED', async () => {
    const account = await register();
    const forger = await createTestIssuer();
    const forged = await forger.sign(account.viewer.user.id);
    const expired = await forger.sign(account.viewer.user.id, ['BUYER'], Math.floor(Date.now() / 1000) - 10);
    forger.stop();
    expect(errorCodes(await gql(service.url, '{ me { email } }', {}, { token: forged }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(service.url, '{ me { email } }', {}, { token: expired }))).toEqual(['UNAUTHENTICATED']);
  });

  test('signing keys survive a restart: old tokens still verify', async () => {
    const account = await register();
    await service.stop();
    service = await start();
    const me = await gql(service.url, '{ me { user { id } } }', {}, { token: account.accessToken });
    expect(me.data.me.user.id).toBe(account.viewer.user.id);
  });
});

test('user references resolve in one statement, however many', async () => {
  const ids = await Promise.all([1, 2, 3, 4, 5, 6].map(async () => (await register()).viewer.user.id));
  const entities = async (list: string[]) => {
    const before = await readCounter(`${service.url}/metrics`, 'autograph_sql_statements_total', { service: 'users' });
    const response = await gql(
      service.url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }',
      {
        r: list.map((id) => ({ __typename: 'User', id })),
      },
    );
    expect(response.data._entities.map((u: { id: string }) => u.id)).toEqual(list);
    return (
      (await readCounter(`${service.url}/metrics`, 'autograph_sql_statements_total', { service: 'users' })) - before
    );
  };
  expect(await entities(ids.slice(0, 2))).toBe(await entities(ids));
});
