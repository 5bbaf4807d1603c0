import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createLogger } from '../../../kit/log';
import { errorCodes, eventually } from '../../../tests/support/graphql';
import { startErasureWorker, type ErasureTask } from '../../framework';
import { PASSWORD, startUsersStack, type UsersStack } from './harness';

let stack: UsersStack;
const logger = createLogger('erasure-test', 'silent');

beforeAll(async () => {
  stack = await startUsersStack('erasure');
});

afterAll(async () => {
  await stack?.stop();
});

const DELETE = `mutation ($p: String!) { deleteMyAccount(password: $p) {
  id state completedAt steps { service done attempts } } }`;
const STATUS = 'query ($id: ID!) { erasureStatus(id: $id) { state completedAt steps { service done attempts } } }';

const worker = (service: 'offers' | 'reviews' | 'search' | 'catalog', erase: (task: ErasureTask) => Promise<void>) =>
  startErasureWorker({
    service,
    usersUrl: `${stack.url}/graphql`,
    token: 'dev-internal-token',
    pollIntervalMs: 50,
    erase,
    logger,
  });

describe('deleteMyAccount', () => {
  test('asks for the password again', async () => {
    const account = await stack.register();
    const wrong = await stack.query(DELETE, { p: 'not my password' }, account.accessToken);
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect((await stack.login(account.email)).errors).toBeUndefined();
  });

  test('anonymises the account at once; peers that were down apply their part when back, retried until it works', async () => {
    const registered = await stack.register({ name: 'Erika Mustermann', city: 'Tver', kind: 'DEALER' });
    const userId = registered.viewer.user.id;
    const [{ email_index: emailIndex }] = await stack.sql`select email_index from users.users where id = ${userId}`;
    const account = { ...registered, emailIndex };
    const deleted = await stack.query(DELETE, { p: PASSWORD }, account.accessToken);
    expect(deleted.errors).toBeUndefined();
    const request = deleted.data.deleteMyAccount;
    expect(request.state).toBe('IN_PROGRESS');
    expect(request.steps).toEqual([
      { service: 'users', done: true, attempts: 1 },
      { service: 'catalog', done: false, attempts: 0 },
      { service: 'offers', done: false, attempts: 0 },
      { service: 'reviews', done: false, attempts: 0 },
      { service: 'search', done: false, attempts: 0 },
    ]);

    // users' own part: nothing personal left, no session, no sign-in.
    const [row] = await stack.sql`select * from users.users where id = ${userId}`;
    expect(row).toMatchObject({ city: '', roles: [] });
    expect(row!.deactivated_at).not.toBeNull();
    const shown = await stack.query('query ($id: ID!) { user(id: $id) { name city } }', { id: userId });
    expect(shown.data.user).toEqual({ name: 'Deleted user', city: '' });
    const [erased] = await stack.sql`select email_index from users.users where id = ${userId}`;
    // The e-mail's blind index is gone too: nobody can tell the old address was here.
    expect(erased!.email_index).not.toBe(account.emailIndex);
    const [{ tokens }] =
      await stack.sql`select count(*)::int as tokens from users.refresh_tokens where user_id = ${userId}`;
    expect(tokens).toBe(0);
    const [{ applications }] =
      await stack.sql`select count(*)::int as applications from users.dealer_applications where user_id = ${userId}`;
    expect(applications).toBe(0);
    expect(errorCodes(await stack.login(account.email))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await stack.refresh(account.refreshToken))).toEqual(['UNAUTHENTICATED']);

    // offers fails twice (its database is down), then works; the others come up later.
    let offersCalls = 0;
    const applied: string[] = [];
    const offers = worker('offers', async (task) => {
      expect(task).toEqual({ requestId: request.id, userId });
      if (++offersCalls <= 2) throw new Error('offers database unreachable');
      applied.push('offers');
    });
    const offersStep = async () =>
      (await stack.query(STATUS, { id: request.id })).data.erasureStatus.steps.find(
        (s: { service: string }) => s.service === 'offers',
      );
    await eventually(async () => (await offersStep()).done, 10_000, 20);
    expect(await offersStep()).toMatchObject({ done: true, attempts: 3 });
    expect((await stack.query(STATUS, { id: request.id })).data.erasureStatus.state).toBe('IN_PROGRESS');

    const others = (['reviews', 'search', 'catalog'] as const).map((service) =>
      worker(service, async () => {
        applied.push(service);
      }),
    );
    const done = await eventually(
      async () => {
        const status = await stack.query(STATUS, { id: request.id });
        return status.data.erasureStatus.state === 'COMPLETED' ? status.data.erasureStatus : null;
      },
      10_000,
      50,
    );
    expect(done.completedAt).toBeString();
    expect(done.steps.every((s: { done: boolean }) => s.done)).toBe(true);
    await Promise.all([offers, ...others].map((w) => w.stop()));
    // Each peer applied it once it worked, and never again after acknowledging.
    expect(applied.sort()).toEqual(['catalog', 'offers', 'reviews', 'search']);

    const audit = await stack.sql`select action, target from users.audit_log where actor_id = ${userId} order by id`;
    expect(audit.map((a) => a.action)).toEqual(['account.erasure_requested', 'account.erased']);
    expect(audit.every((a) => a.target === request.id)).toBe(true);
  });

  test('the erasure endpoints need the internal token; an unknown erasure has no status', async () => {
    const pending = await fetch(`${stack.url}/internal/erasures?service=offers`);
    expect(pending.status).toBe(401);
    const ack = await fetch(`${stack.url}/internal/erasures/ack`, {
      method: 'POST',
      headers: { 'x-internal-token': 'wrong-token-value' },
      body: '{}',
    });
    expect(ack.status).toBe(401);
    const unknown = await stack.query(STATUS, { id: crypto.randomUUID() });
    expect(unknown.data.erasureStatus).toBeNull();
  });
});
