import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './subgraphs/offers/db/schema.ts',
  out: './subgraphs/offers/drizzle',
  schemaFilter: ['offers'],
});
