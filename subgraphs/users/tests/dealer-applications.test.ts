import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { errorCodes } from '../../../tests/support/graphql';
import { claimsOf, startUsersStack, type Account, type UsersStack } from './harness';

/** The dealer role is requested at sign-up and granted by a moderator or an admin, never taken. */
let stack: UsersStack;
let moderator: Account;
let admin: Account;
let seller: Account;

const LIST = `query ($status: DealerApplicationStatus, $first: Int, $after: String) {
  dealerApplications(status: $status, first: $first, after: $after) { totalCount edges { cursor node { id status user { id kind } } } pageInfo { hasNextPage endCursor } }
}`;
const APPROVE = 'mutation ($id: ID!) { approveDealerApplication(id: $id) { id status decidedAt user { id kind } } }';
const REJECT = 'mutation ($id: ID!) { rejectDealerApplication(id: $id) { id status user { id kind } } }';
const ME = '{ me { roles user { kind } dealerApplication { status } } }';

beforeAll(async () => {
  stack = await startUsersStack('users_dealers');
  [moderator, admin, seller] = [
    await stack.withRoles(['BUYER', 'MODERATOR']),
    await stack.withRoles(['ADMIN']),
    await stack.withRoles(['BUYER', 'SELLER']),
  ];
});

afterAll(async () => {
  await stack?.stop();
});

describe('registering as a dealer', () => {
  test('files a pending application: the account is a private buyer and seller, its token has no DEALER', async () => {
    const applicant = await stack.register({ kind: 'DEALER' });
    expect(applicant.viewer.roles).toEqual(['BUYER', 'SELLER']);
    expect(applicant.viewer.user.kind).toBe('PRIVATE');
    expect(applicant.viewer.dealerApplication).toMatchObject({ status: 'PENDING' });
    expect(claimsOf(applicant.accessToken).roles).toEqual(['BUYER', 'SELLER']);
    const [row] =
      await stack.sql`select kind, roles::text[] as roles from users.users where id = ${applicant.viewer.user.id}`;
    expect(row).toEqual({ kind: 'PRIVATE', roles: ['BUYER', 'SELLER'] });
  });

  test('registering as PRIVATE files nothing', async () => {
    const account = await stack.register();
    expect(account.viewer.dealerApplication).toBeNull();
  });
});

describe('deciding', () => {
  test('a moderator approves: the account becomes a dealer and its next token carries DEALER', async () => {
    const applicant = await stack.register({ kind: 'DEALER' });
    const approved = await stack.query(APPROVE, { id: applicant.viewer.dealerApplication!.id }, moderator.accessToken);
    expect(approved.errors).toBeUndefined();
    expect(approved.data.approveDealerApplication).toMatchObject({
      status: 'APPROVED',
      user: { id: applicant.viewer.user.id, kind: 'DEALER' },
    });
    expect(typeof approved.data.approveDealerApplication.decidedAt).toBe('string');

    // The token issued before approval says what it said; the next one carries the role.
    expect(claimsOf(applicant.accessToken).roles).toEqual(['BUYER', 'SELLER']);
    const refreshed = await stack.refresh(applicant.refreshToken);
    expect(claimsOf(refreshed.data.refreshSession.accessToken).roles).toEqual(['BUYER', 'SELLER', 'DEALER']);
    const me = await stack.query(ME, {}, refreshed.data.refreshSession.accessToken);
    expect(me.data.me).toEqual({
      roles: ['BUYER', 'SELLER', 'DEALER'],
      user: { kind: 'DEALER' },
      dealerApplication: { status: 'APPROVED' },
    });
  });

  test('an admin rejects: nothing changes for the account', async () => {
    const applicant = await stack.register({ kind: 'DEALER' });
    const rejected = await stack.query(REJECT, { id: applicant.viewer.dealerApplication!.id }, admin.accessToken);
    expect(rejected.data.rejectDealerApplication).toMatchObject({ status: 'REJECTED', user: { kind: 'PRIVATE' } });
    const login = await stack.login(applicant.email);
    expect(login.data.login.viewer.roles).toEqual(['BUYER', 'SELLER']);
  });

  test('a decided application cannot be decided again (CONFLICT); an unknown one is NOT_FOUND', async () => {
    const applicant = await stack.register({ kind: 'DEALER' });
    const id = applicant.viewer.dealerApplication!.id;
    expect((await stack.query(APPROVE, { id }, moderator.accessToken)).errors).toBeUndefined();
    expect(errorCodes(await stack.query(REJECT, { id }, moderator.accessToken))).toEqual(['CONFLICT']);
    expect(errorCodes(await stack.query(APPROVE, { id: crypto.randomUUID() }, moderator.accessToken))).toEqual([
      'NOT_FOUND',
    ]);
    expect(errorCodes(await stack.query(APPROVE, { id: 'nope' }, moderator.accessToken))).toEqual(['NOT_FOUND']);
  });

  test('nobody else may decide or list: the applicant, a seller, anonymous', async () => {
    const applicant = await stack.register({ kind: 'DEALER' });
    const id = applicant.viewer.dealerApplication!.id;
    expect(errorCodes(await stack.query(APPROVE, { id }, applicant.accessToken))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await stack.query(APPROVE, { id }, seller.accessToken))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await stack.query(APPROVE, { id }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await stack.query(LIST, {}, seller.accessToken))).toEqual(['FORBIDDEN']);
    const [row] = await stack.sql`select status from users.dealer_applications where id = ${id}`;
    expect(row!.status).toBe('PENDING');
  });
});

describe('the moderation queue', () => {
  test('pending applications, oldest first, paged by cursor', async () => {
    const pending = async () => {
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = await stack.query(LIST, { first: 2, after }, moderator.accessToken);
        expect(page.errors).toBeUndefined();
        ids.push(...page.data.dealerApplications.edges.map((e: any) => e.node.id));
        if (!page.data.dealerApplications.pageInfo.hasNextPage)
          return { ids, total: page.data.dealerApplications.totalCount };
        after = page.data.dealerApplications.pageInfo.endCursor;
      }
    };
    const before = await pending();
    const fresh = [
      await stack.register({ kind: 'DEALER' }),
      await stack.register({ kind: 'DEALER' }),
      await stack.register({ kind: 'DEALER' }),
    ];
    const after = await pending();
    expect(after.ids).toEqual([...before.ids, ...fresh.map((a) => a.viewer.dealerApplication!.id)]);
    expect(after.total).toBe(before.total + 3);
    const approved = await stack.query(LIST, { status: 'APPROVED', first: 100 }, admin.accessToken);
    expect(
      approved.data.dealerApplications.edges.every(
        (e: any) => e.node.status === 'APPROVED' && e.node.user.kind === 'DEALER',
      ),
    ).toBe(true);
    expect(errorCodes(await stack.query(LIST, { after: 'garbage' }, moderator.accessToken))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});
