import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../kit/log';
import { dropStalledConnection } from '../redis';
import { withinTimeout } from './redis-store';

/** How often the subscriber checks that Redis still answers it (a frozen server closes nothing). */
export const SUBSCRIBER_HEARTBEAT_MS = 1_000;

export interface InvalidationBusOptions {
  /** The gateway's connection: it publishes, and its options (Sentinel included) make the subscriber's. */
  redis: Redis;
  channel: string;
  logger: Logger;
  /** A publish or heartbeat Redis has not answered by then counts as failed. */
  timeoutMs: number;
  /** Another replica evicted these indexes (`Offer:42`, `Offer`). */
  onInvalidation(indexes: string[]): void;
  /** Messages may have been missed: the subscription is gone until `onSubscribed`. */
  onLost(): void;
  onSubscribed(): void;
}

interface Message {
  from: string;
  indexes: string[];
}

/**
 * Invalidations between replicas over Redis pub/sub. The subscriber is a connection of its own
 * (a subscribed connection serves no other command), made from the gateway connection's options,
 * so it follows a Sentinel failover alike. It subscribes on every `ready` itself, rather than
 * letting ioredis resubscribe, so `live` turns true only once Redis confirmed the subscription:
 * from then on, no invalidation published is missed. Losing the connection, or a heartbeat left
 * unanswered (a frozen Redis keeps sockets open), calls `onLost` at once.
 */
export function createInvalidationBus(options: InvalidationBusOptions) {
  const { redis, channel, logger, timeoutMs } = options;
  const origin = randomUUID();
  const subscriber = redis.duplicate({ enableAutoPipelining: false, autoResubscribe: false });
  let live = false;
  let disposed = false;

  const lost = () => {
    if (!live) return;
    live = false;
    options.onLost();
  };
  // connectGatewayRedis already warns when Redis goes away; the subscriber only has to notice.
  subscriber.on('error', () => lost());
  subscriber.on('close', lost);
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        if (disposed || subscriber.status !== 'ready') return;
        live = true;
        options.onSubscribed();
      },
      (error) => logger.debug({ err: (error as Error).message }, 'invalidation subscription failed'),
    );
  });
  subscriber.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    try {
      const message = JSON.parse(text) as Message;
      // This replica evicted its own entries before publishing.
      if (message.from !== origin && Array.isArray(message.indexes)) options.onInvalidation(message.indexes);
    } catch {
      logger.warn({ channel }, 'unreadable response cache invalidation ignored');
    }
  });

  const heartbeat = setInterval(() => {
    if (!live) return;
    withinTimeout(subscriber, logger, timeoutMs, () => subscriber.ping()).catch(() => {
      lost();
      dropStalledConnection(subscriber, logger);
    });
  }, SUBSCRIBER_HEARTBEAT_MS);
  heartbeat.unref();

  return {
    /** True while subscribed: every invalidation published from now on reaches this replica. */
    get live() {
      return live;
    },
    /** Tells the other replicas; rejects when Redis did not take the message in time. */
    publish(indexes: string[]): Promise<number> {
      const message = JSON.stringify({ from: origin, indexes } satisfies Message);
      return withinTimeout(redis, logger, timeoutMs, () => redis.publish(channel, message));
    },
    async dispose() {
      disposed = true;
      clearInterval(heartbeat);
      lost();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
