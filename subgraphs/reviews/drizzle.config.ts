import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './subgraphs/reviews/db/schema.ts',
  out: './subgraphs/reviews/drizzle',
  schemaFilter: ['reviews'],
});
