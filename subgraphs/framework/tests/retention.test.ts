import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Queue } from 'bullmq';
import { drizzle } from 'drizzle-orm/postgres-js';
import { createLogger } from '../../../kit/log';
import { eventually } from '../../../tests/support/graphql';
import { dropKeysWithPrefix, TEST_REDIS_URL } from '../../../tests/support/queues';
import { startUsersStack, type UsersStack } from '../../users/tests/harness';
import { auditLog, tables } from '../../users/db/schema';
import { purgeExpiredRefreshTokens } from '../../users/sessions';
import { purgeAuditLog, retentionQueueName, scheduleRetention } from '../privacy/retention';

let stack: UsersStack;
const logger = createLogger('retention-test', 'silent');
const prefix = `autograph-retention-test-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  stack = await startUsersStack('retention');
});

afterAll(async () => {
  await stack?.stop();
  await dropKeysWithPrefix(prefix);
});

/** Old and recent audit entries and refresh tokens of a fresh account; returns its id. */
async function seed(): Promise<string> {
  const account = await stack.register();
  const userId = account.viewer.user.id;
  await stack.sql`
    insert into users.audit_log (at, actor_id, action) values
      (now() - interval '400 days', ${userId}, 'sign_in.succeeded'),
      (now() - interval '20 days', ${userId}, 'sign_in.succeeded')`;
  await stack.sql`
    insert into users.refresh_tokens (family_id, user_id, token_hash, expires_at) values
      (gen_random_uuid(), ${userId}, ${`old-${userId}`}, now() - interval '30 days'),
      (gen_random_uuid(), ${userId}, ${`recent-${userId}`}, now() - interval '1 day')`;
  return userId;
}

const countsOf = async (userId: string) => {
  const [audit] = await stack.sql`
    select count(*) filter (where at < now() - interval '365 days')::int as old, count(*)::int as total
    from users.audit_log where actor_id = ${userId}`;
  const [tokens] = await stack.sql`
    select count(*) filter (where token_hash like 'old-%')::int as old, count(*)::int as total
    from users.refresh_tokens where user_id = ${userId}`;
  return { audit, tokens };
};

describe('retention', () => {
  test('a round deletes audit entries and expired refresh tokens past their days, nothing younger', async () => {
    const userId = await seed();
    const db = drizzle(stack.sql, { schema: tables });
    expect(await purgeAuditLog(db, auditLog, 365)).toBeGreaterThanOrEqual(1);
    expect(await purgeExpiredRefreshTokens(db, 7)).toBeGreaterThanOrEqual(1);
    const { audit, tokens } = await countsOf(userId);
    expect(audit).toEqual({ old: 0, total: 1 });
    // The recent token (expired yesterday) and the live one from sign-up stay.
    expect(tokens).toEqual({ old: 0, total: 2 });
    // The purge's permission ended with its transaction.
    await expect(stack.sql`delete from users.audit_log where actor_id = ${userId}`).rejects.toThrow(/append-only/);
  });

  test('scheduled on a timer without Redis', async () => {
    const userId = await seed();
    const db = drizzle(stack.sql, { schema: tables });
    const rounds: Record<string, number>[] = [];
    const schedule = scheduleRetention({
      service: 'users',
      purge: async () => {
        const round = { auditEntries: await purgeAuditLog(db, auditLog, 365) };
        rounds.push(round);
        return round;
      },
      intervalMs: 100,
      queuePrefix: prefix,
      logger,
    });
    try {
      await eventually(async () => (await countsOf(userId)).audit!.old === 0, 5_000);
      await eventually(async () => rounds.length >= 2, 5_000);
    } finally {
      await schedule.stop();
    }
  });

  test('scheduled as a BullMQ repeatable job with Redis', async () => {
    const userId = await seed();
    const db = drizzle(stack.sql, { schema: tables });
    const schedule = scheduleRetention({
      service: 'users-test',
      purge: async () => ({ auditEntries: await purgeAuditLog(db, auditLog, 365) }),
      intervalMs: 1_000,
      redis: { url: TEST_REDIS_URL },
      queuePrefix: prefix,
      logger,
    });
    const queue = new Queue(retentionQueueName('users-test'), { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      await eventually(async () => (await queue.getJobSchedulers()).length === 1, 5_000);
      const [scheduler] = await queue.getJobSchedulers();
      expect(scheduler).toMatchObject({ key: 'purge', every: 1_000 });
      await eventually(async () => (await countsOf(userId)).audit!.old === 0, 10_000);
      await eventually(async () => (await queue.getCompletedCount()) >= 1, 5_000);
    } finally {
      await queue.close();
      await schedule.stop();
    }
  });
});
