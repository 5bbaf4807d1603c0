import { sql, type SQL } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { Counter } from 'prom-client';
import type { Database } from '../../kit/db';
import { loginAttempts, type tables } from './db/schema';

type Db = Database<typeof tables>['db'];

const throttled = new Counter({
  name: 'autograph_login_throttled_total',
  help: 'Sign-in attempts refused because the account had too many failed sign-ins in a row',
});

export interface LoginThrottleOptions {
  /** Failures in a row that lock the account's sign-in. */
  maxFailures: number;
  /** First lock; every further failure doubles it. */
  lockSeconds: number;
  /** Longest lock. */
  maxLockSeconds: number;
}

/** The row of an e-mail's failures (its SHA-256: attacker-chosen strings are never stored). */
export const throttleKeyOf = (email: string) => createHash('sha256').update(email).digest('hex');

/** Failures older than this are forgotten: the next one counts as the first. */
const FORGET_AFTER = sql.raw(`interval '24 hours'`);
/** Doublings past this no longer matter (any cap is reached) and would overflow `power`. */
const MAX_DOUBLINGS = 30;

/**
 * Per-account throttling of sign-in, shared by every replica through PostgreSQL and independent
 * of where requests come from (the gateway limits per client address on its side).
 *
 * Every attempt is counted *before* the password is checked, in one atomic statement that also
 * refuses it while the account is locked: however many attempts arrive at once, at most
 * `maxFailures` passwords are checked before the lock, then one per lock period. After
 * `maxFailures` failures in a row the account is locked for `lockSeconds`, doubling with every
 * further failure up to `maxLockSeconds`; a successful sign-in clears the count. The key is the
 * e-mail whether an account has it or not, so wrong e-mails and wrong passwords behave alike.
 * The right password is refused too while the account is locked.
 */
export function createLoginThrottle(db: Db, options: LoginThrottleOptions) {
  // The lock a count of failures earns: none below maxFailures, then lockSeconds doubling per failure, capped.
  const lockFor = (failures: SQL) => sql`case when ${failures} >= ${options.maxFailures}::int
    then now() + make_interval(secs => least(${options.maxLockSeconds}::float8, ${options.lockSeconds}::float8 * power(2, least(${failures} - ${options.maxFailures}::int, ${MAX_DOUBLINGS}::int))))
  end`;
  const failuresAfter = sql`(case when la.last_failed_at < now() - ${FORGET_AFTER} then 1 else la.failures + 1 end)`;

  return {
    /**
     * Counts an attempt for `email`: `{ allowed: true }` if its password may be checked, or how
     * many seconds until the account's lock ends.
     */
    async begin(email: string): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
      const key = throttleKeyOf(email);
      const counted = await db.execute(sql`
        insert into ${loginAttempts} as la (key, failures, last_failed_at, locked_until)
        values (${key}, 1, now(), ${lockFor(sql`1`)})
        on conflict (key) do update set
          failures = ${failuresAfter},
          last_failed_at = now(),
          locked_until = ${lockFor(failuresAfter)}
        where la.locked_until is null or la.locked_until <= now()
        returning 1`);
      if ([...counted].length > 0) return { allowed: true };
      const [lock] = [
        ...(await db.execute<{ seconds: number }>(sql`
        select ceil(extract(epoch from locked_until - now()))::int as seconds from ${loginAttempts} where key = ${key}`)),
      ];
      throttled.inc();
      return { allowed: false, retryAfterSeconds: Math.max(1, lock?.seconds ?? 1) };
    },

    /** The password was right: the account's count starts again. */
    async succeeded(email: string): Promise<void> {
      await db.execute(sql`delete from ${loginAttempts} where key = ${throttleKeyOf(email)}`);
    },

    /** Forgets accounts with no recent failure and no lock (keys of e-mails nobody owns included). */
    async prune(): Promise<number> {
      const removed = await db.execute(sql`
        delete from ${loginAttempts}
        where last_failed_at < now() - ${FORGET_AFTER} and (locked_until is null or locked_until < now())
        returning 1`);
      return [...removed].length;
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
