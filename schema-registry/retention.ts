import type { Logger } from '../kit/log';
import type { Database } from '../kit/db';
import type { tables } from './db/schema';
import { pruneUsage } from './usage';

type Db = Database<typeof tables>['db'];

/** Default REGISTRY_USAGE_RETENTION_INTERVAL_MS: hourly, the granularity usage is counted in. */
export const DEFAULT_USAGE_RETENTION_INTERVAL_MS = 3_600_000;

/**
 * Prunes usage older than the longest usage window, at start and every `intervalMs`. Every replica
 * runs it; a transaction-level advisory lock lets one prune at a time (the others skip that round).
 */
export function startUsageRetention(db: Db, logger: Logger, intervalMs = DEFAULT_USAGE_RETENTION_INTERVAL_MS) {
  const prune = () =>
    pruneUsage(db)
      .then((pruned) => {
        if (pruned && pruned.usage + pruned.batches > 0)
          logger.info(pruned, 'pruned usage older than the longest usage window');
      })
      .catch((error) => logger.warn({ err: (error as Error).message }, 'usage retention failed; trying again later'));
  const first = prune();
  const timer = setInterval(() => void prune(), intervalMs);
  timer.unref();
  return {
    /** Stops the timer; waits for the first run so nothing touches a closed pool. */
    async stop() {
      clearInterval(timer);
      await first;
    },
  };
}
