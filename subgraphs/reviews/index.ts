import { fileURLToPath } from 'node:url';
import { createCatalogClient } from '../catalog/client';
import { DEFAULT_USERS_URL, defineSubgraph } from '../framework';
import { createUsersClient } from '../users/client';
import { loadReviewsConfig } from './config';
import type { ReviewsContext } from './context';
import { tables } from './db/schema';
import { schema } from './schema';
import { eraseAuthor } from './privacy';

export default defineSubgraph<ReviewsContext, typeof tables>({
  name: 'reviews',
  schema,
  tables,
  migrationsFolder: fileURLToPath(new URL('./drizzle', import.meta.url)),
  setup: async ({ config, database }) => {
    const catalog = createCatalogClient({ url: loadReviewsConfig().catalogUrl, hmacSecret: config.gatewayHmacSecret });
    return {
      context: (base) => ({ ...base, db: database.db, catalog }),
      erase: (task) => eraseAuthor(database.db, task),
      principals: createUsersClient({
        url: config.usersUrl ?? DEFAULT_USERS_URL,
        hmacSecret: config.gatewayHmacSecret,
      }),
    };
  },
});
