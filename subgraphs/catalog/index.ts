import { fileURLToPath } from 'node:url';
import { DEFAULT_USERS_URL, defineSubgraph } from '../framework';
import { createUsersClient } from '../users/client';
import { createRedisReferenceCache, noCache } from './cache';
import { defaultCacheKeyPrefix, loadCatalogConfig } from './config';
import type { CatalogContext } from './context';
import { tables } from './db/schema';
import { schema } from './schema';
import { eraseNothing } from './privacy';

export default defineSubgraph<CatalogContext, typeof tables>({
  name: 'catalog',
  schema,
  tables,
  migrationsFolder: fileURLToPath(new URL('./drizzle', import.meta.url)),
  setup: async ({ config, database, logger }) => {
    const own = loadCatalogConfig();
    const cache =
      config.redis && own.cache.enabled
        ? createRedisReferenceCache({
            redis: config.redis,
            keyPrefix: own.cache.keyPrefix ?? defaultCacheKeyPrefix(config.databaseUrl),
            ttlMs: own.cache.ttlMs,
            logger,
          })
        : noCache;
    return {
      context: (base) => ({ ...base, db: database.db, cache }),
      erase: (task) => eraseNothing(database.db, task),
      principals: createUsersClient({
        url: config.usersUrl ?? DEFAULT_USERS_URL,
        hmacSecret: config.gatewayHmacSecret,
      }),
      onStop: () => cache.close(),
    };
  },
});
