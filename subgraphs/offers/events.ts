import { Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../../kit/log';
import { redisOptions, type RedisTarget } from '../../kit/redis';
import { createRenewingQueue, type RenewalRule } from './renewing-queue';

/**
 * The offers→search event contract, both ends of it: offers publishes with
 * `createOfferEventSender`, search consumes with `consumeOfferEvents` (Redis) or
 * `createInProcessQueue` (no Redis). Kept in one module so queue name, prefix and job options
 * cannot drift apart between producer and consumer.
 *
 * Offer changes travel from offers to search as events. Offers records each one in its outbox
 * table in the transaction of the change, and its relay (outbox/relay.ts) hands them over with
 * `createOfferEventSender` until they are taken. With Redis they go through a BullMQ queue
 * (durable, retried with backoff, shared by every replica). Without Redis (the embedded default)
 * offers POSTs them to search's /events/offers and search works them off an in-process queue.
 */
export interface OfferSnapshot {
  id: string;
  sellerId: string;
  modelId: string;
  makeId: string;
  title: string;
  price: number;
  currency: string;
  year: number;
  mileageKm: number;
  city: string;
  status: string;
  createdAt: string;
  /** Orders snapshots of one offer: an older one never overwrites a newer one. */
  updatedAt: string;
}

export interface OfferEvent {
  type: 'offer.changed';
  offer: OfferSnapshot;
}

export const SEARCH_QUEUE = 'search-index';
export const INTERNAL_TOKEN_HEADER = 'x-internal-token';

const targetOf = (redis: RedisTarget | string): RedisTarget => (typeof redis === 'string' ? { url: redis } : redis);

/**
 * BullMQ's connection to `redis` (a REDIS_URL, or the validated target with its sentinels): built
 * by kit/redis.ts like every other Redis client, so a worker follows a Sentinel failover.
 */
export function redisConnection(redis: RedisTarget | string): ConnectionOptions {
  // BullMQ workers block on Redis; they must not give up after a few retries.
  const options = redisOptions(targetOf(redis), { maxRetriesPerRequest: null });
  // BullMQ's type lacks ioredis's `null` (no retries); none is set here: ioredis's default backoff applies.
  return { ...options, retryStrategy: options.retryStrategy ?? undefined };
}

/**
 * Reconnect at least every 2 s while Redis is down (ioredis's default strategy as BullMQ sets it
 * waits up to 20 s between tries), so events flow again within seconds after Redis is back.
 */
const promptReconnect = (times: number) => Math.min(100 * times, 2_000);
const withPromptReconnect = (connection: ConnectionOptions): ConnectionOptions =>
  ({ ...connection, retryStrategy: promptReconnect }) as ConnectionOptions;

export interface EventTransportOptions {
  /** The queue's Redis (REDIS_URL, or the target with its sentinels); unset: POST to search. */
  redis?: RedisTarget | string;
  queuePrefix: string;
  /** Search's ingestion endpoint, for the no-Redis path. */
  searchEventsUrl: string;
  internalToken: string;
  logger: Logger;
  /** Longest wait for one hand-over (a queue write or one POST) before it counts as failed. */
  timeoutMs?: number;
  /** When the queue's connection is replaced after failed hand-overs (DEFAULT_RENEWAL). */
  renewal?: RenewalRule;
}

/** How long one hand-over may take before the sender gives up on it (the outbox tries again later). */
export const DEFAULT_SEND_TIMEOUT_MS = 5_000;

/**
 * The offers side: hands events over to search, in the order given, and says how many of them
 * were handed over (a prefix of the list); the rest stay with the caller, the outbox relay, which
 * tries them again. With Redis, one atomic BullMQ `addBulk` (all or none); each job's id is made of
 * the offer and its `updatedAt`, so handing the same snapshot over twice queues it once while the
 * job is kept; a queue whose writes keep failing is replaced on a fresh connection
 * (renewing-queue.ts). Without Redis, one POST per event to search's /events/offers until one fails.
 */
export function createOfferEventSender(options: EventTransportOptions) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const queue = options.redis
    ? createRenewingQueue<OfferEvent>({
        name: SEARCH_QUEUE,
        prefix: options.queuePrefix,
        // Without the offline queue a write fails at once while Redis is down, instead of waiting
        // in memory and being sent (again and again, once per retry) when it is back.
        redis: redisOptions(targetOf(options.redis), {
          maxRetriesPerRequest: null,
          enableOfflineQueue: false,
          retryStrategy: promptReconnect,
        }),
        logger: options.logger,
        renewal: options.renewal,
      })
    : null;

  async function post(event: OfferEvent) {
    const response = await fetch(options.searchEventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: options.internalToken },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`search answered HTTP ${response.status}`);
  }

  return {
    /** Resolves with the number of leading events handed over; rejects when none was. */
    async send(events: OfferEvent[]): Promise<number> {
      if (queue) {
        const jobs = events.map((event) => ({
          name: event.type,
          data: event,
          opts: { ...JOB_OPTIONS, jobId: `offer-${event.offer.id}-${Date.parse(event.offer.updatedAt)}` },
        }));
        await queue.addBulk(jobs, timeoutMs);
        return events.length;
      }
      // A batch takes at most about two timeouts: past the first, no further POST starts.
      const deadline = Date.now() + timeoutMs;
      for (const [sent, event] of events.entries()) {
        if (sent > 0 && Date.now() > deadline) return sent;
        try {
          await post(event);
        } catch (error) {
          if (sent === 0) throw error;
          return sent;
        }
      }
      return events.length;
    },
    close: async () => {
      await queue?.close();
    },
  };
}

/**
 * How an event that search could not apply is retried: doubling from 0.5 s to 30 s, then every
 * 30 s, for about 17 minutes in all. A plain exponential backoff of 5 attempts gave up after 7.5 s,
 * so a database restart longer than that lost the events in flight until a manual reindex.
 */
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 30_000;
export const retryDelayMs = (attemptsMade: number) =>
  Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attemptsMade - 1));

const JOB_OPTIONS = {
  attempts: 40,
  backoff: { type: 'capped' },
  removeOnComplete: 1000,
  removeOnFail: 5000,
} as const;

/** The search side with Redis: a BullMQ worker calling `handle` for every event. */
export function consumeOfferEvents(options: {
  redis: RedisTarget | string;
  queuePrefix: string;
  logger: Logger;
  handle: (event: OfferEvent) => Promise<void>;
}) {
  const worker = new Worker<OfferEvent>(SEARCH_QUEUE, (job) => options.handle(job.data), {
    connection: withPromptReconnect(redisConnection(options.redis)),
    prefix: options.queuePrefix,
    // One at a time keeps each offer's events in order within a replica.
    concurrency: 1,
    settings: { backoffStrategy: retryDelayMs },
  });
  worker.on('failed', (job, error) =>
    options.logger.warn({ err: error.message, jobId: job?.id }, 'offer event failed; will retry'),
  );
  worker.on('error', (error) => options.logger.warn({ err: error.message }, 'offer event worker error'));
  return { close: () => worker.close() };
}

/** Events the in-process queue holds at most; past it, `push` refuses and the sender retries later. */
export const DEFAULT_MAX_QUEUED_EVENTS = 10_000;

/**
 * The search side without Redis: events handled one at a time, each retried a few times.
 * Hand-written because it is twenty lines and must live in-process; a library queue adds nothing.
 * Bounded: while `maxQueued` events wait, `push` returns false (search answers 503 and offers'
 * relay retries with backoff) instead of holding every event in memory.
 */
export function createInProcessQueue(options: {
  logger: Logger;
  handle: (event: OfferEvent) => Promise<void>;
  maxQueued?: number;
}) {
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED_EVENTS;
  let tail: Promise<void> = Promise.resolve();
  let queued = 0;
  return {
    /** Queues the event; false when the queue is full. */
    push(event: OfferEvent): boolean {
      if (queued >= maxQueued) return false;
      queued++;
      tail = tail.then(async () => {
        try {
          for (let attempt = 1; attempt <= 5; attempt++) {
            try {
              return await options.handle(event);
            } catch (error) {
              options.logger.warn(
                { err: (error as Error).message, attempt, offerId: event.offer.id },
                'offer event failed',
              );
              await Bun.sleep(100 * 2 ** attempt);
            }
          }
        } finally {
          queued--;
        }
      });
      return true;
    },
    idle: () => tail,
    close: () => tail,
  };
}
