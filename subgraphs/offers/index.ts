import { fileURLToPath } from 'node:url';
import { connectDatabase } from '../../kit/db';
import { createCatalogClient } from '../catalog/client';
import { createOfferEventSender } from './events';
import { DEFAULT_USERS_URL, defineSubgraph } from '../framework';
import { createUsersClient } from '../users/client';
import { loadOffersConfig } from './config';
import { createOfferLive, publishedAfter } from './live';
import type { OffersContext } from './context';
import { tables } from './db/schema';
import { schema } from './schema';
import { startOutboxRelay } from './outbox/relay';
import { outboxStore } from './outbox/store';
import { eraseSeller } from './privacy';

export default defineSubgraph<OffersContext, typeof tables>({
  name: 'offers',
  schema,
  tables,
  migrationsFolder: fileURLToPath(new URL('./drizzle', import.meta.url)),
  setup: async ({ config, database, logger }) => {
    const own = loadOffersConfig();
    if (own.internalToken === 'dev-internal-token' && !config.redis)
      logger.warn('INTERNAL_EVENTS_TOKEN is not set: using the development default');
    const catalog = createCatalogClient({ url: own.catalogUrl, hmacSecret: config.gatewayHmacSecret });
    const sender = createOfferEventSender({
      redis: config.redis,
      queuePrefix: own.queuePrefix,
      searchEventsUrl: own.searchEventsUrl,
      internalToken: own.internalToken,
      logger,
    });
    // The relay's own connection, on the primary: its polling never waits for (or counts as) request statements.
    const connectRelay = () =>
      connectDatabase({ url: config.databaseUrl, service: 'offers-outbox', max: 1, prepare: config.prepare }, tables);
    let relayDatabase = connectRelay();
    const live = createOfferLive({ redis: config.redis, channelPrefix: own.queuePrefix, logger });
    const send = publishedAfter(sender.send, live);
    const outbox = startOutboxRelay({
      store: outboxStore(relayDatabase.db),
      renewStore: () => {
        const hung = relayDatabase;
        relayDatabase = connectRelay();
        void hung.close().catch(() => {});
        return outboxStore(relayDatabase.db);
      },
      send,
      logger,
      ...own.outbox,
    });
    return {
      context: (base) => ({ ...base, db: database.db, catalog, outbox, live }),
      erase: async (task) => {
        if ((await eraseSeller(database.db, task)) > 0) outbox.wake();
      },
      principals: createUsersClient({
        url: config.usersUrl ?? DEFAULT_USERS_URL,
        hmacSecret: config.gatewayHmacSecret,
      }),
      onStop: async () => {
        await outbox.stop();
        await sender.close();
        await live.close();
        await relayDatabase.close();
      },
    };
  },
});
