import { fileURLToPath } from 'node:url';
import { migrateDatabase } from '../../kit/db';
import { seedDatabase, type Scale } from '../../seed';

/**
 * The system's whole database as production has it: every subgraph's migrations and seed, and the
 * registry's migrations (its targets, versions, tokens, usage and audit live in the same database).
 */
export async function prepareSystemSchema(url: string, scale: Scale, fraction = 1, log?: (line: string) => void) {
  const seeded = await seedDatabase(url, { scale, fraction, log });
  await migrateDatabase(url, 'registry', fileURLToPath(new URL('../../schema-registry/drizzle', import.meta.url)));
  return seeded;
}
