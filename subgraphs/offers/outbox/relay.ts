import { Counter, Gauge } from 'prom-client';
import type { Logger } from '../../../kit/log';
import type { OfferEvent } from '../events';
import type { OutboxStore } from './store';
import { withTimeout } from '../../../kit/timeout';

/** Defaults of the relay's settings (OUTBOX_* variables, subgraphs/offers/config.ts). */
export const OUTBOX_DEFAULTS = {
  /** Rows leased and handed over per round. */
  batchSize: 100,
  /** Pause between rounds that found nothing; a change in this process wakes the relay at once. */
  pollIntervalMs: 500,
  /** Longest pause after failures (the pause doubles from BASE_RETRY_MS up to this). */
  retryMaxMs: 5_000,
  /**
   * How long a claimed row stays with its relay before any relay may take it again. Also how long
   * rows wait when a claim's answer is lost (the database went down as it committed): nobody
   * knows they are claimed, so they leave when the lease ends. 15 s keeps that within the 30 s in
   * which search must agree after a database restart, above the longest hand-over (10 s).
   */
  leaseMs: 15_000,
  /** How long sent rows are kept (for inspection) before they are pruned. */
  sentRetentionMs: 3_600_000,
} as const;

const BASE_RETRY_MS = 250;
/**
 * The longest a round may take (default). A statement that never settles (a connection stuck while
 * the database restarts) would otherwise stop delivery for good; past this the round counts as
 * failed, the connection is replaced (`renewStore`) and the next round starts (rows it leased are
 * claimable again when their lease ends).
 */
const ROUND_LIMIT_MS = 15_000;

const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_BATCH = 1_000;
/** The backlog gauges are read at most this often (one count over the pending index). */
const BACKLOG_INTERVAL_MS = 1_000;

// Created once per process: prom-client's default registry refuses a second metric of one name,
// and several offers services run in one process in tests. They all read the same table.
const pendingGauge = new Gauge({
  name: 'autograph_outbox_pending_events',
  help: 'Offer events written but not yet handed over to search',
});
const oldestGauge = new Gauge({
  name: 'autograph_outbox_oldest_pending_seconds',
  help: 'Age of the oldest offer event not yet handed over to search (0 when none)',
});
const delivered = new Counter({
  name: 'autograph_outbox_delivered_total',
  help: 'Offer events handed over to search by this process',
});
const failures = new Counter({
  name: 'autograph_outbox_failures_total',
  help: 'Relay rounds that failed (database or destination unreachable)',
});

export interface OutboxRelayOptions {
  store: OutboxStore;
  /** Hands events over in order; resolves with how many leading ones were taken. */
  send: (events: OfferEvent[]) => Promise<number>;
  logger: Logger;
  batchSize?: number;
  pollIntervalMs?: number;
  retryMaxMs?: number;
  leaseMs?: number;
  sentRetentionMs?: number;
  /** The longest a round may take before it counts as hung (default 15 s). */
  roundLimitMs?: number;
  /**
   * A fresh store on a new connection, for when a round did not settle in time: the statement
   * still hangs on the old connection (a single-connection pool queues everything behind it), so
   * waiting on it again would stop delivery for good.
   */
  renewStore?: () => OutboxStore;
}

/**
 * Moves offer events from the outbox table to search: lease a batch, hand it over, mark what was
 * taken sent, give the rest back. Any failure (PostgreSQL or the destination down) is logged once
 * per outage and retried after a doubling pause; nothing here throws out of the loop, so an outage
 * never stops the process. Hand-written rather than a job library: BullMQ already delivers, and
 * what is left is a loop of four SQL statements whose correctness lives in those statements
 * (store.ts); a scheduler library would add a second queue in front of the first.
 */
export function startOutboxRelay(options: OutboxRelayOptions) {
  const settings = { ...OUTBOX_DEFAULTS, ...definedOnly(options) };
  const { logger } = options;
  let store = options.store;
  const roundLimitMs = options.roundLimitMs ?? ROUND_LIMIT_MS;
  const roundTimedOut = `a relay round took over ${roundLimitMs} ms`;
  let stopped = false;
  let woken = false;
  let wakeUp: (() => void) | null = null;
  let failedRounds = 0;
  let lastPrune = 0;
  let lastBacklog = 0;

  function pause(ms: number): Promise<void> {
    if (woken || stopped) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeUp = null;
        woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeUp = done;
    });
  }

  // Rows handed over (or not) whose outcome could not be written because PostgreSQL went away: they
  // stay leased to this relay, and are settled first when it is back (not after the lease ends).
  let unsent: number[] = [];
  let unreleased: { ids: number[]; reason: string } | null = null;

  async function settle() {
    if (unsent.length) {
      await store.markSent(unsent);
      unsent = [];
    }
    if (unreleased) {
      await store.release(unreleased.ids, unreleased.reason);
      unreleased = null;
    }
  }

  /** One round; true when it moved a full batch (more may be waiting). */
  async function round(): Promise<boolean> {
    await settle();
    const claimed = await store.claim(settings.batchSize, settings.leaseMs);
    if (claimed.length) {
      const ids = claimed.map((row) => row.id);
      let taken = 0;
      let problem: unknown = null;
      try {
        taken = await options.send(claimed.map((row) => row.event));
      } catch (error) {
        problem = error;
      }
      delivered.inc(taken);
      unsent = ids.slice(0, taken);
      if (taken < ids.length)
        unreleased = { ids: ids.slice(taken), reason: (problem as Error)?.message ?? 'not taken' };
      await settle();
      if (taken < ids.length) throw problem ?? new Error('the destination took only part of the batch');
    }
    return claimed.length === settings.batchSize;
  }

  async function housekeeping() {
    const now = Date.now();
    if (now - lastBacklog >= BACKLOG_INTERVAL_MS) {
      lastBacklog = now;
      const backlog = await store.backlog();
      pendingGauge.set(backlog.pending);
      oldestGauge.set(backlog.oldestSeconds);
    }
    if (now - lastPrune >= PRUNE_INTERVAL_MS) {
      lastPrune = now;
      const pruned = await store.prune(settings.sentRetentionMs, PRUNE_BATCH);
      if (pruned) logger.debug({ pruned }, 'pruned sent offer events');
    }
  }

  async function loop() {
    while (!stopped) {
      let wait: number = settings.pollIntervalMs;
      try {
        const more = await withTimeout(round(), roundLimitMs, roundTimedOut).catch((error: Error) => {
          if (error.message === roundTimedOut && options.renewStore) {
            logger.warn('an outbox round hung: its connection is replaced');
            store = options.renewStore();
            // What the hung round held is settled by its lease; not by this process's memory of it.
            unsent = [];
            unreleased = null;
          }
          throw error;
        });
        if (failedRounds) logger.info({ failedRounds }, 'offer events flow again');
        failedRounds = 0;
        if (more) wait = 0;
      } catch (error) {
        failures.inc();
        failedRounds++;
        const message = (error as Error)?.message ?? String(error);
        // Once per outage at warn; each retry after it at debug, so a long outage does not flood the log.
        if (failedRounds === 1) logger.warn({ err: message }, 'offer events not delivered; retrying with backoff');
        else logger.debug({ err: message, failedRounds }, 'offer events still not delivered');
        wait = Math.min(settings.retryMaxMs, BASE_RETRY_MS * 2 ** (failedRounds - 1));
      }
      // The backlog is most worth reporting while delivery fails; a database that is down fails this too.
      await withTimeout(housekeeping(), roundLimitMs, 'housekeeping hung').catch(() => {});
      if (wait > 0) await pause(wait);
    }
  }

  const running = loop().catch((error) =>
    logger.error({ err: (error as Error)?.message }, 'offer event relay stopped'),
  );

  return {
    /** Tells the relay a change was committed here: it looks at once instead of at the next poll. */
    wake() {
      if (failedRounds) return; // during an outage the backoff decides
      if (wakeUp) wakeUp();
      else woken = true;
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await running;
    },
  };
}

export type OutboxRelay = ReturnType<typeof startOutboxRelay>;

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
