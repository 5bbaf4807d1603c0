import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { errorCodes } from '../../../tests/support/graphql';
import { createUsersClient } from '../client';
import { PASSWORD, startUsersStack, type UsersStack } from './harness';

/**
 * Accounts deleted or deactivated (there is no API for either yet: a plain SQL statement, as an
 * operator would run it) lose their sessions and may not act; peers learn it through the users
 * client.
 */
let stack: UsersStack;

beforeAll(async () => {
  stack = await startUsersStack('users_gone');
});

afterAll(async () => {
  await stack?.stop();
});

const liveTokens = async (userId: string) =>
  Number(
    (await stack.sql`select count(*) from users.refresh_tokens where user_id = ${userId} and revoked_at is null`)[0]!
      .count,
  );

describe('deactivated accounts', () => {
  test('deactivation revokes every refresh token; refresh and sign-in fail as for a wrong password', async () => {
    const account = await stack.register();
    const second = await stack.login(account.email);
    expect(await liveTokens(account.viewer.user.id)).toBe(2);
    const wrong = await stack.login(account.email, 'not the password');

    await stack.sql`update users.users set deactivated_at = now() where id = ${account.viewer.user.id}`;
    expect(await liveTokens(account.viewer.user.id)).toBe(0);
    for (const token of [account.refreshToken, second.data.login.refreshToken])
      expect(errorCodes(await stack.refresh(token))).toEqual(['UNAUTHENTICATED']);
    const login = await stack.login(account.email, PASSWORD);
    expect(errorCodes(login)).toEqual(['UNAUTHENTICATED']);
    expect(login.errors![0]!.message).toBe(wrong.errors![0]!.message);
  });

  test('a refresh token that escaped revocation still cannot refresh a deactivated account', async () => {
    const account = await stack.register();
    await stack.sql`alter table users.users disable trigger users_deactivated_revoke_tokens`;
    try {
      await stack.sql`update users.users set deactivated_at = now() where id = ${account.viewer.user.id}`;
    } finally {
      await stack.sql`alter table users.users enable trigger users_deactivated_revoke_tokens`;
    }
    expect(await liveTokens(account.viewer.user.id)).toBe(1);
    expect(errorCodes(await stack.refresh(account.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(await liveTokens(account.viewer.user.id)).toBe(0);
  });

  test("its still valid access token cannot write in users either (a moderator's decision)", async () => {
    const moderator = await stack.withRoles(['MODERATOR']);
    const applicant = await stack.register({ kind: 'DEALER' });
    await stack.sql`update users.users set deactivated_at = now() where id = ${moderator.viewer.user.id}`;
    const approve = await stack.query(
      'mutation ($id: ID!) { approveDealerApplication(id: $id) { status } }',
      { id: applicant.viewer.dealerApplication!.id },
      moderator.accessToken,
    );
    expect(errorCodes(approve)).toEqual(['UNAUTHENTICATED']);
    const [row] =
      await stack.sql`select status from users.dealer_applications where id = ${applicant.viewer.dealerApplication!.id}`;
    expect(row!.status).toBe('PENDING');
  });
});

describe('deleted accounts', () => {
  test('deleting the row deletes its refresh tokens; refresh and sign-in fail', async () => {
    const account = await stack.register();
    await stack.sql`delete from users.users where id = ${account.viewer.user.id}`;
    expect(
      Number(
        (await stack.sql`select count(*) from users.refresh_tokens where user_id = ${account.viewer.user.id}`)[0]!
          .count,
      ),
    ).toBe(0);
    expect(errorCodes(await stack.refresh(account.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await stack.login(account.email))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('the users client, as peers ask', () => {
  test('answers which accounts exist and are active, in one call', async () => {
    const [active, deactivated, deleted] = [await stack.register(), await stack.register(), await stack.register()];
    await stack.sql`update users.users set deactivated_at = now() where id = ${deactivated.viewer.user.id}`;
    await stack.sql`delete from users.users where id = ${deleted.viewer.user.id}`;
    const client = createUsersClient({ url: `${stack.url}/graphql` });
    const ids = [active, deactivated, deleted].map((a) => a.viewer.user.id);
    expect([...(await client.activeOf([...ids, 'not-an-id', crypto.randomUUID()]))]).toEqual([active.viewer.user.id]);
  });

  test('fails (the caller refuses the write) when users cannot answer', async () => {
    await expect(
      createUsersClient({ url: 'http://127.0.0.1:9/graphql' }).activeOf([crypto.randomUUID()]),
    ).rejects.toThrow();
  });
});

test('an answer from users that carries an error is "cannot tell", never "account gone"', async () => {
  // users whose database is restarting answers `_entities: [null]` with an error: a stand-in
  // server gives that answer on demand.
  const users = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: () => Response.json({ data: { _entities: [null] }, errors: [{ message: 'the database is not available' }] }),
  });
  try {
    const client = createUsersClient({ url: `http://127.0.0.1:${users.port}/graphql` });
    await expect(client.activeOf([crypto.randomUUID()])).rejects.toThrow('the database is not available');
  } finally {
    users.stop(true);
  }
});
