import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { eq } from 'drizzle-orm';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Logger } from '../../kit/log';
import { describeRedisTarget, redisOptions, type RedisTarget } from '../../kit/redis';
import { isId, notFound } from '../framework';
import type { Database } from '../../kit/db';
import { offers, type OfferRow, type tables } from './db/schema';
import type { OfferEvent, OfferSnapshot } from './events';
import type { OfferFilter } from './listing';
import type { OfferLive } from './live-feed';

export type { OfferLive } from './live-feed';

/**
 * Live offer changes for subscriptions (schema/subscriptions.ts). They are fed by the outbox relay:
 * an event is published once the relay has handed it over (`publishedAfter`), so only committed
 * changes notify and a rolled-back write never does. With Redis, Yoga's Redis event target carries
 * every event to every offers replica (Redis pub/sub: each replica relays only the rows it
 * leased, and a subscriber may sit on any replica); without Redis an in-memory event target
 * serves the one process there is.
 *
 * Delivery is at most once per connected replica while Redis is reachable (pub/sub keeps nothing
 * for a replica that is away) and the relay delivers at least once, so subscribers skip what they
 * have already seen: a price they already sent, an offer they already announced.
 */

export interface OfferLiveOptions {
  /** Redis (REDIS_URL, or the target with its sentinels); unset: in-memory, for a single replica. */
  redis?: RedisTarget;
  /** Prefix of the pub/sub channels (QUEUE_PREFIX), so deployments and tests sharing a Redis stay apart. */
  channelPrefix: string;
  logger: Logger;
}

type Topics = Record<string, [OfferSnapshot]>;

/** What a subscription reads from its request context (OffersContext has both). */
interface LiveContext {
  db: Database<typeof tables>['db'];
  live: Pick<OfferLive, 'changesOf' | 'additions'>;
}

/** A snapshot is of a new offer when it was written by the insert: both timestamps are that statement's now(). */
export const isCreation = (offer: OfferSnapshot) => offer.createdAt === offer.updatedAt;

export function createOfferLive(options: OfferLiveOptions): OfferLive {
  const changedTopic = (offerId: string) => `${options.channelPrefix}:live:offer-changed:${offerId}`;
  const addedTopic = `${options.channelPrefix}:live:offer-added`;
  const clients = options.redis ? connectPubSub(options.redis, options.logger) : null;
  const pubsub = createPubSub<Topics>(clients ? { eventTarget: createRedisEventTarget(clients) as never } : {});
  return {
    publish(events) {
      for (const { offer } of events) {
        pubsub.publish(changedTopic(offer.id), offer);
        if (isCreation(offer)) pubsub.publish(addedTopic, offer);
      }
    },
    changesOf: (offerId) => pubsub.subscribe(changedTopic(offerId)) as AsyncIterable<OfferSnapshot>,
    additions: () => pubsub.subscribe(addedTopic) as AsyncIterable<OfferSnapshot>,
    async close() {
      if (!clients) return;
      await Promise.all(
        [clients.publishClient, clients.subscribeClient].map((client) => client.quit().catch(() => {})),
      );
    },
  };
}

/**
 * The two connections Redis pub/sub needs (a subscribed connection can only subscribe). Both queue
 * commands while Redis is away rather than fail them: the event target publishes without waiting,
 * so a failed PUBLISH would be an unhandled rejection; queued, the events leave when Redis is back.
 * ioredis subscribes again on its own after a reconnect.
 */
function connectPubSub(target: RedisTarget, logger: Logger) {
  const tuning = { maxRetriesPerRequest: null, retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000) };
  const publishClient = new Redis(redisOptions(target, tuning));
  const subscribeClient = new Redis(redisOptions(target, tuning));
  let down = false;
  for (const client of [publishClient, subscribeClient]) {
    client.on('error', (error) => {
      if (!down) logger.warn({ err: error.message, redis: describeRedisTarget(target) }, 'live offer events paused');
      down = true;
    });
    client.on('ready', () => {
      if (down) logger.info('live offer events flow again');
      down = false;
    });
  }
  return { publishClient, subscribeClient };
}

/** The relay's hand-over, then the live publication of the events it handed over. */
export function publishedAfter(
  send: (events: OfferEvent[]) => Promise<number>,
  live: Pick<OfferLive, 'publish'>,
): (events: OfferEvent[]) => Promise<number> {
  return async (events) => {
    const taken = await send(events);
    live.publish(events.slice(0, taken));
    return taken;
  };
}

/**
 * The offer row for a snapshot: read once per event and replica however many subscribers it goes
 * to (the snapshot has no photos), with the snapshot's own values on top, so every subscriber sees
 * the change it was told of even when a later one has committed since. An offer gone meanwhile
 * is answered from the snapshot alone.
 */
const rowsByEvent = new Map<string, Promise<OfferRow | undefined>>();
const ROW_MEMO_MS = 5_000;

async function rowOf(ctx: LiveContext, offer: OfferSnapshot): Promise<OfferRow> {
  const key = `${offer.id}@${offer.updatedAt}`;
  let pending = rowsByEvent.get(key);
  if (!pending) {
    pending = ctx.db
      .select()
      .from(offers)
      .where(eq(offers.id, offer.id))
      .then(([row]) => row);
    rowsByEvent.set(key, pending);
    setTimeout(() => rowsByEvent.delete(key), ROW_MEMO_MS).unref?.();
  }
  const stored = await pending.catch(() => undefined);
  return {
    ...(stored ?? { photos: [], idempotencyKey: null, inputHash: null }),
    ...offer,
    status: offer.status as OfferRow['status'],
    currency: offer.currency as OfferRow['currency'],
    createdAt: new Date(offer.createdAt),
    updatedAt: new Date(offer.updatedAt),
  } as OfferRow;
}

/**
 * `offerPriceChanged`: the offer's changes that moved its price. Subscribed before the current
 * price is read, so a change committed in between is not missed; status changes and repeated
 * deliveries (same price as the last one sent) are skipped.
 */
export async function* priceChanges(ctx: LiveContext, offerId: string): AsyncGenerator<OfferRow> {
  const id = isId(offerId) ? offerId.toLowerCase() : null;
  if (!id) throw notFound('Offer', offerId);
  const events = ctx.live.changesOf(id)[Symbol.asyncIterator]();
  try {
    let next = events.next(); // starts the subscription now
    const [current] = await ctx.db.select({ price: offers.price }).from(offers).where(eq(offers.id, id));
    if (!current) throw notFound('Offer', offerId);
    let lastPrice = current.price;
    for (;;) {
      const { value, done } = await next;
      if (done) return;
      next = events.next();
      if (value.price === lastPrice) continue;
      lastPrice = value.price;
      yield await rowOf(ctx, value);
    }
  } finally {
    await events.return?.();
  }
}

/** How many announced offer ids a subscription remembers to skip repeated deliveries. */
const SEEN_IDS = 1_000;

/** `offerAdded(filter)`: offers created from now on that match the filter, each announced once. */
export async function* additions(ctx: LiveContext, filter: OfferFilter | null | undefined): AsyncGenerator<OfferRow> {
  const seen = new Set<string>();
  for await (const offer of ctx.live.additions()) {
    if (seen.has(offer.id) || !matches(offer, filter ?? {})) continue;
    seen.add(offer.id);
    if (seen.size > SEEN_IDS) seen.delete(seen.values().next().value!);
    yield await rowOf(ctx, offer);
  }
}

/** The listing's filter (listing.ts) applied to one snapshot; `status` defaults to ACTIVE there too. */
export function matches(offer: OfferSnapshot, filter: OfferFilter): boolean {
  const status = filter.status === undefined ? 'ACTIVE' : filter.status;
  const sameId = (wanted: string | null | undefined, actual: string) =>
    wanted == null || wanted.toLowerCase() === actual.toLowerCase();
  return (
    sameId(filter.makeId, offer.makeId) &&
    sameId(filter.modelId, offer.modelId) &&
    sameId(filter.sellerId, offer.sellerId) &&
    (filter.city == null || filter.city.toLowerCase() === offer.city.toLowerCase()) &&
    (filter.priceMin == null || offer.price >= filter.priceMin) &&
    (filter.priceMax == null || offer.price <= filter.priceMax) &&
    (filter.yearMin == null || offer.year >= filter.yearMin) &&
    (filter.yearMax == null || offer.year <= filter.yearMax) &&
    (status == null || offer.status === status)
  );
}
