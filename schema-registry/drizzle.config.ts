import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './schema-registry/db/schema.ts',
  out: './schema-registry/drizzle',
  schemaFilter: ['registry'],
});
