import { fileURLToPath } from 'node:url';
import { defineSubgraph } from '../kit';
import type { CatalogContext } from './context';
import { tables } from './db/schema';
import { schema } from './schema';

export default defineSubgraph<CatalogContext, typeof tables>({
  name: 'catalog',
  schema,
  tables,
  migrationsFolder: fileURLToPath(new URL('./drizzle', import.meta.url)),
  setup: async ({ database }) => ({
    context: (base) => ({ ...base, db: database.db }),
  }),
});
