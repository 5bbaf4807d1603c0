import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { Counter } from 'prom-client';
import type { Logger } from '../../kit/log';
import { withTimeout } from '../../kit/timeout';

/**
 * When the event queue is given up for a fresh one: after `failures` hand-overs in a row failed,
 * the first of them started at least `afterMs` ago. Both are needed. The count keeps one slow
 * write (a busy Redis, a 5 s timeout) from renewing anything; the time keeps the burst of quick
 * refusals at the start of a Redis restart or a Sentinel failover from doing so, since those heal
 * on the same connection (ioredis reconnects every 2 s at most and asks the sentinels again).
 */
export interface RenewalRule {
  failures: number;
  afterMs: number;
}

/**
 * Three failures over 10 s: past the few seconds a restart or failover keeps Redis away in the
 * fault suite, and with the relay's backoff (up to 5 s) and the 5 s send timeout the queue is
 * renewed 10-20 s into a stuck connection, well within the 30 s in which search must agree again.
 */
export const DEFAULT_RENEWAL: RenewalRule = { failures: 3, afterMs: 10_000 };

/** Hand-overs that failed since the last one that went through, and when the first of them started. */
export interface FailureStreak {
  failures: number;
  sinceMs: number;
}

export const dueForRenewal = (streak: FailureStreak | null, nowMs: number, rule: RenewalRule): boolean =>
  streak !== null && streak.failures >= rule.failures && nowMs - streak.sinceMs >= rule.afterMs;

/** How long the replaced queue may take to close; it is dropped after that, never waited on. */
const CLOSE_LIMIT_MS = 2_000;

// Created on first use, once per process: prom-client's default registry refuses a second metric of
// one name, and only a process that hands events to a queue (offers, not search) should export it.
let renewals: Counter | undefined;
const renewalCounter = () => {
  renewals ??= new Counter({
    name: 'autograph_outbox_queue_renewals_total',
    help: "Times offers replaced its event queue's Redis connection because hand-overs kept failing",
  });
  return renewals;
};

interface Opened<T> {
  connection: Redis;
  queue: Queue<T>;
}

/**
 * A BullMQ queue that is replaced, on a connection of its own, when writes to it keep failing
 * (`RenewalRule`). ioredis cannot tell a connection whose peer vanished without a word from a slow
 * one: commands written to it wait until the kernel gives up on the socket, many minutes later,
 * and it does not reconnect meanwhile; a queue whose connection never becomes ready again waits
 * likewise. Without this, every hand-over in between would time out while Redis itself is fine.
 *
 * The connection is created here and lent to BullMQ, so it can be dropped at once
 * (`disconnect()` closes the socket without a QUIT that a stuck connection would never answer).
 */
export function createRenewingQueue<T>(options: {
  name: string;
  prefix: string;
  redis: RedisOptions;
  logger: Logger;
  renewal?: RenewalRule;
}) {
  const { logger } = options;
  const rule = options.renewal ?? DEFAULT_RENEWAL;
  const counter = renewalCounter();
  let streak: FailureStreak | null = null;
  /** Renewals since the last hand-over that went through: only the first of an outage is a warning. */
  let renewedInOutage = 0;

  function open(): Opened<T> {
    const connection = new Redis(options.redis);
    // A dropped connection still reports errors after BullMQ stopped listening to it.
    connection.on('error', (error) => logger.debug({ err: error.message }, 'offer event queue connection error'));
    const queue = new Queue<T>(options.name, { connection, prefix: options.prefix });
    queue.on('error', (error) => logger.debug({ err: error.message }, 'offer event queue error'));
    return { connection, queue };
  }

  async function close({ connection, queue }: Opened<T>) {
    await withTimeout(queue.close(), CLOSE_LIMIT_MS, 'the queue did not close').catch(() => {});
    await withTimeout(connection.quit(), CLOSE_LIMIT_MS, 'Redis did not answer QUIT').catch(() =>
      connection.disconnect(),
    );
  }

  let current = open();

  function renew(cause: Error) {
    const stuck = current;
    renewedInOutage++;
    counter.inc();
    const details = { err: cause.message, failures: streak?.failures, forMs: Date.now() - (streak?.sinceMs ?? 0) };
    if (renewedInOutage === 1)
      logger.warn(details, 'offer events keep failing to reach the queue: its Redis connection is replaced');
    else logger.debug({ ...details, renewedInOutage }, 'offer event queue replaced again');
    // The fresh connection gets a full streak of its own before it is judged.
    streak = null;
    current = open();
    stuck.connection.disconnect();
    void withTimeout(stuck.queue.close(), CLOSE_LIMIT_MS, 'the replaced queue did not close').catch(() => {});
  }

  return {
    /** The queue's `addBulk`, given up after `timeoutMs`; failures count towards a renewal. */
    async addBulk(jobs: Parameters<Queue<T>['addBulk']>[0], timeoutMs: number) {
      const used = current;
      const startedAt = Date.now();
      try {
        const added = await withTimeout(used.queue.addBulk(jobs), timeoutMs, 'Redis did not take the events');
        streak = null;
        renewedInOutage = 0;
        return added;
      } catch (error) {
        // A send that began on a queue replaced meanwhile says nothing about the new one.
        if (used === current) {
          streak ??= { failures: 0, sinceMs: startedAt };
          streak.failures++;
          if (dueForRenewal(streak, Date.now(), rule)) renew(error as Error);
        }
        throw error;
      }
    },
    close: () => close(current),
  };
}
