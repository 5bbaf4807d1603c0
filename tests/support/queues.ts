import Redis from 'ioredis';
import { Queue } from 'bullmq';
import { redisConnection, SEARCH_QUEUE } from '../../subgraphs/offers/events';

export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** Removes a test run's queue keys (the search queue and the retention schedulers): every run uses its own prefix, and leaves nothing behind. */
export async function dropSearchQueue(prefix: string) {
  const queue = new Queue(SEARCH_QUEUE, { connection: redisConnection(TEST_REDIS_URL), prefix });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
  // Every subgraph's retention scheduler shares the prefix (framework/privacy/retention.ts).
  await dropKeysWithPrefix(`${prefix}:retention-`);
}

/** Deletes every Redis key starting with `prefix` (a run's queues, schedulers and gateway keys). */
export async function dropKeysWithPrefix(prefix: string) {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
