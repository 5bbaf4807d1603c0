import { Redis } from 'ioredis';
import type { Logger } from '../kit/log';
import { describeRedisTarget, FAIL_FAST, redisOptions, type RedisTarget } from '../kit/redis';

/**
 * The gateway's one Redis connection (cache, rate limits, invalidation, trusted documents),
 * created only when REDIS_URL is set; with REDIS_SENTINELS it follows the sentinels' primary.
 * Commands fail fast while Redis is down instead of queueing (kit/redis.ts FAIL_FAST), so every
 * user of it can degrade (serve uncached, limit locally) rather than hang requests.
 */
export function connectGatewayRedis(target: RedisTarget, logger: Logger): Redis {
  const redis = new Redis(
    redisOptions(target, {
      ...FAIL_FAST,
      // Commands issued in the same tick share one write: many times the throughput under load.
      enableAutoPipelining: true,
    }),
  );
  let down = false;
  redis.on('error', (error) => {
    if (!down)
      logger.warn(
        { err: error.message, redis: describeRedisTarget(target) },
        'redis unavailable; caching and shared rate limits degrade to local',
      );
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('redis reachable again');
    down = false;
  });
  return redis;
}

/**
 * Called by a store whose command Redis did not answer in time. A Redis that stalls (frozen,
 * overloaded, a network that drops packets) keeps the connection open: every later command would
 * queue behind the stalled ones and each request would wait out its store timeouts. Destroying
 * the socket turns the stall into an outage the stores see at once (status not `ready`, commands
 * refused) until a new connection passes its ready check, i.e. until Redis answers again. Destroyed,
 * not ended: a frozen server never acknowledges an end, and ioredis would wait `disconnectTimeout`.
 */
export function dropStalledConnection(redis: Redis, logger: Logger): void {
  if (redis.status !== 'ready' || redis.stream.destroyed) return;
  logger.warn('redis did not answer in time; reconnecting, caching and shared rate limits degrade meanwhile');
  redis.stream.destroy();
}
