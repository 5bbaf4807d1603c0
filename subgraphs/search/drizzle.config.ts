import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './subgraphs/search/db/schema.ts',
  out: './subgraphs/search/drizzle',
  schemaFilter: ['search'],
});
