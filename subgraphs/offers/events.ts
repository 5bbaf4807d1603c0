import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../../kit/log';

/**
 * The offers→search event contract, both ends of it: offers publishes with
 * `createOfferEventPublisher`, search consumes with `consumeOfferEvents` (Redis) or
 * `createInProcessQueue` (no Redis). Kept in one module so queue name, prefix and job options
 * cannot drift apart between producer and consumer.
 *
 * Offer changes travel from offers to search as events. With Redis they go through a BullMQ
 * queue (durable, retried with backoff, shared by every replica). Without Redis (the embedded
 * default) offers POSTs them to search's /events/offers and search works them off an in-process
 * queue; an event lost there (search down) is repaired by `bun subgraphs/search/reindex.ts`.
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

export function redisConnection(url: string): ConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers block on Redis; they must not give up after a few retries.
    maxRetriesPerRequest: null,
  };
}

export interface EventTransportOptions {
  redisUrl?: string;
  queuePrefix: string;
  /** Search's ingestion endpoint, for the no-Redis path. */
  searchEventsUrl: string;
  internalToken: string;
  logger: Logger;
}

/** The offers side. `publish` never throws and never delays the mutation that called it. */
export function createOfferEventPublisher(options: EventTransportOptions) {
  const pending = new Set<Promise<unknown>>();
  const queue = options.redisUrl
    ? new Queue<OfferEvent>(SEARCH_QUEUE, {
        connection: redisConnection(options.redisUrl),
        prefix: options.queuePrefix,
      })
    : null;
  queue?.on('error', (error) => options.logger.warn({ err: error.message }, 'offer event queue error'));

  async function deliver(event: OfferEvent) {
    if (queue) {
      await queue.add(event.type, event, {
        attempts: 5,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      });
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(options.searchEventsUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: options.internalToken },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(5_000),
        });
        if (response.ok) return;
        throw new Error(`search answered HTTP ${response.status}`);
      } catch (error) {
        if (attempt >= 4) throw error;
        await Bun.sleep(200 * 2 ** attempt);
      }
    }
  }

  return {
    publish(event: OfferEvent) {
      const delivery = deliver(event)
        .catch((error) =>
          options.logger.error(
            { err: (error as Error).message, offerId: event.offer.id },
            'offer event not delivered; run the search reindex to repair',
          ),
        )
        .finally(() => pending.delete(delivery));
      pending.add(delivery);
    },
    /** Resolves when every event published so far was handed over (tests, shutdown). */
    flush: () => Promise.all([...pending]).then(() => {}),
    async close() {
      await Promise.all([...pending]);
      await queue?.close();
    },
  };
}

export type OfferEventPublisher = ReturnType<typeof createOfferEventPublisher>;

/** The search side with Redis: a BullMQ worker calling `handle` for every event. */
export function consumeOfferEvents(options: {
  redisUrl: string;
  queuePrefix: string;
  logger: Logger;
  handle: (event: OfferEvent) => Promise<void>;
}) {
  const worker = new Worker<OfferEvent>(SEARCH_QUEUE, (job) => options.handle(job.data), {
    connection: redisConnection(options.redisUrl),
    prefix: options.queuePrefix,
    // One at a time keeps each offer's events in order within a replica.
    concurrency: 1,
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
 * publisher retries with backoff) instead of holding every event in memory.
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
