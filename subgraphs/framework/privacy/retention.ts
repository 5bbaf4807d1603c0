import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { lt, sql } from 'drizzle-orm';
import type { Logger } from '../../../kit/log';
import { redisOptions, type RedisTarget } from '../../../kit/redis';
import { withTimeout } from '../../../kit/timeout';
import type { AnyDb } from './audit';
import type { AuditLogTable } from './audit-table';

/** Deletes audit entries older than `days`; the only delete the append-only trigger lets through. */
export async function purgeAuditLog(db: AnyDb, table: AuditLogTable, days: number): Promise<number> {
  return db.transaction(async (tx) => {
    // Local to this transaction: no other statement of the connection may delete audit rows.
    await tx.execute(sql`select set_config('autograph.audit_purge', 'on', true)`);
    const purged = await tx
      .delete(table)
      .where(lt(table.at, sql`now() - make_interval(days => ${days}::int)`))
      .returning({ id: table.id });
    return purged.length;
  });
}

export interface RetentionOptions {
  service: string;
  /** One purge round: what it deleted, by kind (for the log). */
  purge: () => Promise<Record<string, number>>;
  intervalMs: number;
  /** Set: a BullMQ job scheduler runs the purge (one replica per round); unset: a timer in this process. */
  redis?: RedisTarget;
  queuePrefix: string;
  logger: Logger;
}

/** How long stopping waits for the scheduler to close before it drops its connections. */
const CLOSE_TIMEOUT_MS = 2_000;

export const retentionQueueName = (service: string) => `retention-${service}`;

/**
 * Runs the retention purge every `intervalMs`. With Redis, a BullMQ job scheduler (a repeatable
 * job: whichever replica's worker takes a round runs it, so replicas do not purge at once);
 * without, a timer in each process (the purge is idempotent, so replicas running it at once
 * only repeat work).
 */
export function scheduleRetention(options: RetentionOptions): { stop(): Promise<void> } {
  const run = async () => {
    const purged = await options.purge();
    if (Object.values(purged).some((n) => n > 0)) options.logger.info({ purged }, 'retention purge');
    return purged;
  };
  if (!options.redis) {
    const timer = setInterval(() => {
      run().catch((error) => options.logger.warn({ err: error }, 'retention purge failed; next round retries'));
    }, options.intervalMs);
    timer.unref();
    return { stop: async () => clearInterval(timer) };
  }
  const connection = bullConnection(options.redis);
  const name = retentionQueueName(options.service);
  const queue = new Queue(name, { connection, prefix: options.queuePrefix });
  const worker = new Worker(name, run, { connection, prefix: options.queuePrefix, concurrency: 1 });
  worker.on('failed', (_job, error) =>
    options.logger.warn({ err: error }, 'retention purge failed; next round retries'),
  );
  // Redis unreachable: said once (BullMQ keeps reconnecting); an unheard 'error' would crash the process.
  let warned = false;
  const unreachable = (error: Error) => {
    if (warned) return;
    warned = true;
    options.logger.warn({ err: error }, 'retention scheduler cannot reach Redis; it resumes when Redis answers');
  };
  worker.on('error', unreachable);
  queue.on('error', unreachable);
  // Upserted: every replica declares the same scheduler, and a new interval replaces the old one.
  queue
    .upsertJobScheduler(
      'purge',
      { every: options.intervalMs },
      { name: 'purge', opts: { removeOnComplete: 10, removeOnFail: 10 } },
    )
    .catch((error) => options.logger.warn({ err: error }, 'cannot schedule the retention purge'));
  return {
    async stop() {
      // A worker waits for Redis to close gracefully; with Redis down it would wait for ever.
      const closed = Promise.all([worker.close(), queue.close()]);
      const gaveUp = await withTimeout(closed, CLOSE_TIMEOUT_MS, 'retention scheduler close').then(
        () => false,
        () => true,
      );
      // Not awaited: BullMQ's disconnect also waits for a connection that never came.
      if (gaveUp) for (const client of [worker, queue]) client.disconnect().catch(() => {});
    },
  };
}

/** BullMQ's connection, built by kit/redis.ts like every Redis client (Sentinel and TLS included). */
function bullConnection(redis: RedisTarget): ConnectionOptions {
  const options = redisOptions(redis, { maxRetriesPerRequest: null });
  return { ...options, retryStrategy: options.retryStrategy ?? undefined };
}
