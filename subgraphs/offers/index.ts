import { fileURLToPath } from 'node:url';
import { createCatalogClient } from '../catalog/client';
import { createOfferEventPublisher } from './events';
import { DEFAULT_USERS_URL, defineSubgraph } from '../framework';
import { createUsersClient } from '../users/client';
import { loadOffersConfig } from './config';
import type { OffersContext } from './context';
import { tables } from './db/schema';
import { schema } from './schema';

export default defineSubgraph<OffersContext, typeof tables>({
  name: 'offers',
  schema,
  tables,
  migrationsFolder: fileURLToPath(new URL('./drizzle', import.meta.url)),
  setup: async ({ config, database, logger }) => {
    const own = loadOffersConfig();
    if (own.internalToken === 'dev-internal-token' && !config.redisUrl)
      logger.warn('INTERNAL_EVENTS_TOKEN is not set: using the development default');
    const catalog = createCatalogClient({ url: own.catalogUrl, hmacSecret: config.gatewayHmacSecret });
    const events = createOfferEventPublisher({
      redisUrl: config.redisUrl,
      queuePrefix: own.queuePrefix,
      searchEventsUrl: own.searchEventsUrl,
      internalToken: own.internalToken,
      logger,
    });
    return {
      context: (base) => ({ ...base, db: database.db, catalog, events }),
      principals: createUsersClient({
        url: config.usersUrl ?? DEFAULT_USERS_URL,
        hmacSecret: config.gatewayHmacSecret,
      }),
      onStop: () => events.close(),
    };
  },
});
