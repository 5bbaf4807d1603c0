import { Queue } from 'bullmq';
import { redisConnection, SEARCH_QUEUE } from '../../subgraphs/offers/events';

export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** Removes a test run's queue keys: every run uses its own prefix, and leaves nothing behind. */
export async function dropSearchQueue(prefix: string) {
  const queue = new Queue(SEARCH_QUEUE, { connection: redisConnection(TEST_REDIS_URL), prefix });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}
