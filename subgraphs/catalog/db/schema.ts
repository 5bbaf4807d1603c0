import { index, integer, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { auditLogTable } from '../../framework/privacy/audit-table';

export const catalog = pgSchema('catalog');

export const bodyType = catalog.enum('body_type', [
  'SEDAN',
  'HATCHBACK',
  'LIFTBACK',
  'WAGON',
  'SUV',
  'COUPE',
  'CONVERTIBLE',
  'PICKUP',
  'VAN',
  'MINIVAN',
]);

export const makes = catalog.table(
  'makes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    country: text('country').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('makes_name_key').on(t.name)],
);

export const models = catalog.table(
  'models',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    makeId: uuid('make_id')
      .notNull()
      .references(() => makes.id),
    name: text('name').notNull(),
    bodyType: bodyType('body_type').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('models_make_name_key').on(t.makeId, t.name)],
);

export const generations = catalog.table(
  'generations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    modelId: uuid('model_id')
      .notNull()
      .references(() => models.id),
    name: text('name').notNull(),
    yearFrom: integer('year_from').notNull(),
    yearTo: integer('year_to'),
  },
  (t) => [index('generations_model_idx').on(t.modelId, t.yearFrom)],
);

/** Critical operations done here (framework/privacy/audit-table.ts); append-only. */
export const auditLog = auditLogTable(catalog);

export const tables = { makes, models, generations, auditLog };
export type MakeRow = typeof makes.$inferSelect;
export type ModelRow = typeof models.$inferSelect;
export type GenerationRow = typeof generations.$inferSelect;
