import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { errorCodes, gql } from '../../../tests/support/graphql';
import { PASSWORD, startUsersStack, type UsersStack } from './harness';

let stack: UsersStack;

beforeAll(async () => {
  stack = await startUsersStack('audit');
});

afterAll(async () => {
  await stack?.stop();
});

const LOGIN = 'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }';
const REFRESH = 'mutation ($t: String!) { refreshSession(refreshToken: $t) { refreshToken } }';
const AUDIT_PAGE = `query ($first: Int, $after: String) {
  auditLog { users(first: $first, after: $after) {
    entries { id service at actorId action target details clientIp traceId }
    nextCursor
  } }
}`;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const from = (ip: string) => ({
  'x-forwarded-for': `${ip}, 10.0.0.1`,
  traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
});

const entriesOf = (actorId: string) =>
  stack.sql<
    { action: string; client_ip: string | null; trace_id: string | null; target: string | null; details: any }[]
  >`
    select action, client_ip, trace_id, target, details from users.audit_log where actor_id = ${actorId} order by id`;

describe('the audit log records critical operations', () => {
  test('sign-in success and failure, with the forwarded client address and the trace id, never the e-mail', async () => {
    const account = await stack.register();
    const userId = account.viewer.user.id;
    const failed = await gql(
      stack.url,
      LOGIN,
      { e: account.email, p: 'wrong password!' },
      { headers: from('203.0.113.7') },
    );
    expect(errorCodes(failed)).toEqual(['UNAUTHENTICATED']);
    const ok = await gql(stack.url, LOGIN, { e: account.email, p: PASSWORD }, { headers: from('203.0.113.8') });
    expect(ok.errors).toBeUndefined();

    const entries = await entriesOf(userId);
    expect(entries.map((e) => [e.action, e.client_ip, e.trace_id])).toEqual([
      ['sign_in.failed', '203.0.113.7', TRACE_ID],
      ['sign_in.succeeded', '203.0.113.8', TRACE_ID],
    ]);
    expect(entries[0]!.details).toEqual({ reason: 'wrong_password' });
    const [{ leaked }] =
      await stack.sql`select count(*)::int as leaked from users.audit_log where details::text like ${`%${account.email}%`}`;
    expect(leaked).toBe(0);
  });

  test('a reused refresh token revokes the session, and the revocation is recorded', async () => {
    const account = await stack.register();
    const rotated = await gql(stack.url, REFRESH, { t: account.refreshToken });
    expect(rotated.errors).toBeUndefined();
    const reused = await gql(stack.url, REFRESH, { t: account.refreshToken }, { headers: from('198.51.100.2') });
    expect(errorCodes(reused)).toEqual(['UNAUTHENTICATED']);
    const entries = await entriesOf(account.viewer.user.id);
    expect(entries.find((e) => e.action === 'session.revoked')).toMatchObject({
      client_ip: '198.51.100.2',
      details: { reason: 'refresh_token_reused' },
    });
  });

  test('a password change asks for the old password, ends the other sessions and is recorded', async () => {
    const account = await stack.register();
    const other = await stack.login(account.email);
    const CHANGE = 'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
    const wrong = await stack.query(CHANGE, { c: 'not the password', n: 'a new long password' }, account.accessToken);
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    const changed = await gql(
      stack.url,
      CHANGE,
      { c: PASSWORD, n: 'a new long password' },
      { token: account.accessToken, headers: from('192.0.2.9') },
    );
    expect(changed.data.changePassword).toBe(true);
    expect(errorCodes(await stack.login(account.email))).toEqual(['UNAUTHENTICATED']);
    expect((await stack.login(account.email, 'a new long password')).errors).toBeUndefined();
    // The session of the sign-in is revoked, the one that changed the password is not.
    expect(errorCodes(await stack.refresh(other.data.login.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect((await stack.refresh(account.refreshToken)).errors).toBeUndefined();
    const entries = await entriesOf(account.viewer.user.id);
    expect(entries.find((e) => e.action === 'password.changed')).toMatchObject({
      client_ip: '192.0.2.9',
      details: { sessionsRevoked: 1 },
    });
  });

  test('an approved dealer application is recorded as a role change by the moderator', async () => {
    const applicant = await stack.register({ kind: 'DEALER' });
    const moderator = await stack.withRoles(['MODERATOR']);
    const approved = await stack.query(
      'mutation ($id: ID!) { approveDealerApplication(id: $id) { status } }',
      { id: applicant.viewer.dealerApplication!.id },
      moderator.accessToken,
    );
    expect(approved.errors).toBeUndefined();
    const [entry] = await entriesOf(moderator.viewer.user.id).then((rows) =>
      rows.filter((r) => r.action === 'roles.changed'),
    );
    expect(entry).toMatchObject({ target: applicant.viewer.user.id, details: { added: ['DEALER'] } });
  });
});

describe('reading the audit log', () => {
  test('admins page through it newest first; everyone else is refused', async () => {
    const admin = await stack.withRoles(['ADMIN']);
    const first = await stack.query(AUDIT_PAGE, { first: 2 }, admin.accessToken);
    expect(first.errors).toBeUndefined();
    const page1 = first.data.auditLog.users;
    expect(page1.entries).toHaveLength(2);
    expect(page1.entries[0].service).toBe('users');
    // The newest entry is the admin's own sign-in.
    expect(page1.entries[0]).toMatchObject({ action: 'sign_in.succeeded', actorId: admin.viewer.user.id });
    expect(page1.nextCursor).toBeString();
    const second = await stack.query(AUDIT_PAGE, { first: 2, after: page1.nextCursor }, admin.accessToken);
    const ids = [...page1.entries, ...second.data.auditLog.users.entries].map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(4);
    const numeric = ids.map((id) => Number(id.split(':')[1]));
    expect(numeric).toEqual([...numeric].sort((a, b) => b - a));

    const buyer = await stack.register();
    expect(errorCodes(await stack.query(AUDIT_PAGE, {}, buyer.accessToken))).toContain('FORBIDDEN');
    expect(errorCodes(await stack.query(AUDIT_PAGE, {}))).toContain('UNAUTHENTICATED');
    expect(errorCodes(await stack.query(AUDIT_PAGE, { after: 'nope' }, admin.accessToken))).toContain('BAD_USER_INPUT');
  });
});

describe('the audit log is append-only', () => {
  test('UPDATE, DELETE and TRUNCATE raise; only the retention purge may delete', async () => {
    const [{ count: before }] = await stack.sql`select count(*)::int as count from users.audit_log`;
    expect(before).toBeGreaterThan(0);
    await expect(stack.sql`update users.audit_log set action = 'forged'`).rejects.toThrow(/append-only/);
    await expect(stack.sql`delete from users.audit_log`).rejects.toThrow(/append-only/);
    await expect(stack.sql`truncate users.audit_log`).rejects.toThrow(/append-only/);
    const [{ count: after }] = await stack.sql`select count(*)::int as count from users.audit_log`;
    expect(after).toBe(before);
    const [{ forged }] = await stack.sql`select count(*)::int as forged from users.audit_log where action = 'forged'`;
    expect(forged).toBe(0);

    const purged = await stack.sql.begin(async (tx) => {
      await tx`select set_config('autograph.audit_purge', 'on', true)`;
      return tx`delete from users.audit_log where id = (select min(id) from users.audit_log) returning id`;
    });
    expect(purged).toHaveLength(1);
    // The setting was local to that transaction.
    await expect(stack.sql`delete from users.audit_log`).rejects.toThrow(/append-only/);
  });
});
