import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './subgraphs/catalog/db/schema.ts',
  out: './subgraphs/catalog/drizzle',
  schemaFilter: ['catalog'],
});
