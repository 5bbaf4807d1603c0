import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { errorCodes, readCounter } from '../../../tests/support/graphql';
import { ConfigError } from '../../../kit/config';
import {
  DEFAULT_LOGIN_LOCK_MAX_SECONDS,
  DEFAULT_LOGIN_LOCK_SECONDS,
  DEFAULT_LOGIN_MAX_FAILURES,
  readIdentityConfig,
} from '../config';
import { PASSWORD, startUsersStack, type UsersStack } from './harness';

/**
 * Per-account throttling of failed sign-ins, against a real users subgraph and PostgreSQL. The
 * lock is shortened (2 s, doubling, at most 8 s) so the tests can wait it out.
 */
let stack: UsersStack;

beforeAll(async () => {
  stack = await startUsersStack('users_throttle', {
    LOGIN_MAX_FAILURES: '5',
    LOGIN_LOCK_SECONDS: '2',
    LOGIN_LOCK_MAX_SECONDS: '8',
  });
});

afterAll(async () => {
  await stack?.stop();
});

const WRONG = 'not the password';
const codeOf = async (email: string, password: string) => errorCodes(await stack.login(email, password))[0] ?? 'OK';

async function fail(email: string, times: number) {
  for (let i = 0; i < times; i++) expect(await codeOf(email, WRONG)).toBe('UNAUTHENTICATED');
}

describe('failed sign-ins lock the account', () => {
  test('after 5 failures even the right password is refused with TOO_MANY_ATTEMPTS and retryAfter; after the lock it works and the count starts again', async () => {
    const account = await stack.register();
    await fail(account.email, 5);
    const locked = await stack.login(account.email, PASSWORD);
    expect(errorCodes(locked)).toEqual(['TOO_MANY_ATTEMPTS']);
    expect(locked.data?.login ?? null).toBeNull();
    expect([1, 2]).toContain(locked.errors![0]!.extensions!.retryAfter);
    expect(locked.errors![0]!.message).toContain('Too many failed sign-ins');

    await Bun.sleep(2_100);
    const after = await stack.login(account.email, PASSWORD);
    expect(after.errors).toBeUndefined();
    expect(after.data.login.viewer.user.id).toBe(account.viewer.user.id);
    // Success cleared the count: four more failures are still only failures.
    await fail(account.email, 4);
    expect(await codeOf(account.email, PASSWORD)).toBe('OK');
  });

  test('a burst of 40 concurrent wrong passwords gets 5 checked; the rest are refused without a check', async () => {
    const account = await stack.register();
    const before = await readCounter(`${stack.url}/metrics`, 'autograph_login_throttled_total');
    const codes = await Promise.all(Array.from({ length: 40 }, () => codeOf(account.email, WRONG)));
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((code) => code === 'TOO_MANY_ATTEMPTS')).toHaveLength(35);
    expect((await readCounter(`${stack.url}/metrics`, 'autograph_login_throttled_total')) - before).toBe(35);
  });

  test('every failure after a lock doubles the next lock, up to the longest', async () => {
    const account = await stack.register();
    const key = new Bun.CryptoHasher('sha256').update(account.email).digest('hex');
    // The length of the current lock, exactly: both times are set by the statement that locked.
    const lockSeconds = async () =>
      Number(
        (
          await stack.sql`select extract(epoch from locked_until - last_failed_at) as s from users.login_attempts where key = ${key}`
        )[0]!.s,
      );
    await fail(account.email, 5);
    expect(await lockSeconds()).toBe(2);
    await Bun.sleep(2_100);
    await fail(account.email, 1);
    expect(await lockSeconds()).toBe(4);
    expect(errorCodes(await stack.login(account.email, PASSWORD))).toEqual(['TOO_MANY_ATTEMPTS']);
    await Bun.sleep(4_100);
    await fail(account.email, 1);
    expect(await lockSeconds()).toBe(8); // LOGIN_LOCK_MAX_SECONDS
    // However many failures came before, the lock stays at the longest (and the arithmetic in range).
    await stack.sql`update users.login_attempts set failures = 100000, locked_until = null where key = ${key}`;
    await fail(account.email, 1);
    expect(await lockSeconds()).toBe(8);
  });
});

describe('what a lock does not tell or touch', () => {
  test('an e-mail nobody has is throttled exactly like an account: same codes, same messages', async () => {
    const account = await stack.register();
    const nobody = `nobody-${crypto.randomUUID()}@example.com`;
    const answers = async (email: string) => {
      const responses = [];
      for (let i = 0; i < 6; i++) responses.push(await stack.login(email, WRONG));
      // How many seconds are left depends on when the answer comes; everything else must match.
      return responses.map((r) => ({
        code: errorCodes(r)[0],
        message: r.errors![0]!.message.replace(/\d+ s$/, 'N s'),
        retryAfter: typeof r.errors![0]!.extensions!.retryAfter,
      }));
    };
    expect(await answers(nobody)).toEqual(await answers(account.email));
  });

  test('wrong e-mail and wrong password take about the same time', async () => {
    const account = await stack.register();
    const nobody = `nobody-${crypto.randomUUID()}@example.com`;
    const timed = async (email: string) => {
      const started = performance.now();
      expect(await codeOf(email, WRONG)).toBe('UNAUTHENTICATED');
      return performance.now() - started;
    };
    await timed(`warm-up-${crypto.randomUUID()}@example.com`);
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so both see the same load; four each stays under the lock.
    for (let i = 0; i < 4; i++) {
      known.push(await timed(account.email));
      unknown.push(await timed(nobody));
    }
    const median = (times: number[]) => times.sort((a, b) => a - b)[2]!;
    // Skipping the password check for unknown e-mails would make them an order of magnitude faster.
    expect(median(unknown) / median(known)).toBeGreaterThan(0.25);
    expect(median(unknown) / median(known)).toBeLessThan(4);
  });

  test('the lock is per account, whoever asks: another account signs in, sign-up goes on', async () => {
    const [locked, other] = [await stack.register(), await stack.register()];
    await fail(locked.email, 5);
    expect(await codeOf(locked.email, PASSWORD)).toBe('TOO_MANY_ATTEMPTS');
    expect(await codeOf(other.email, PASSWORD)).toBe('OK');
    await stack.register();
  });

  test('e-mails are not stored: accounts are counted under a hash of the lower-cased address', async () => {
    const account = await stack.register();
    await stack.login(account.email.toUpperCase(), WRONG);
    const keys = (await stack.sql`select key from users.login_attempts`).map((row) => row.key as string);
    expect(keys.every((key) => /^[0-9a-f]{64}$/.test(key))).toBe(true);
    const hash = new Bun.CryptoHasher('sha256').update(account.email).digest('hex');
    expect(keys).toContain(hash);
  });
});

describe('configuration', () => {
  test('defaults: 5 failures, then 30 s doubling up to an hour', () => {
    expect(readIdentityConfig({}).loginThrottle).toEqual({
      maxFailures: DEFAULT_LOGIN_MAX_FAILURES,
      lockSeconds: DEFAULT_LOGIN_LOCK_SECONDS,
      maxLockSeconds: DEFAULT_LOGIN_LOCK_MAX_SECONDS,
    });
    expect([DEFAULT_LOGIN_MAX_FAILURES, DEFAULT_LOGIN_LOCK_SECONDS, DEFAULT_LOGIN_LOCK_MAX_SECONDS]).toEqual([
      5, 30, 3600,
    ]);
  });

  test('a wrong value names its variable', () => {
    expect(() => readIdentityConfig({ LOGIN_MAX_FAILURES: '0' })).toThrow(ConfigError);
    expect(() => readIdentityConfig({ LOGIN_MAX_FAILURES: 'many' })).toThrow(/LOGIN_MAX_FAILURES/);
    expect(() => readIdentityConfig({ LOGIN_LOCK_SECONDS: '60', LOGIN_LOCK_MAX_SECONDS: '30' })).toThrow(
      /LOGIN_LOCK_MAX_SECONDS/,
    );
  });
});
