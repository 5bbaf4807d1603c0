import { check, index, integer, pgSchema, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { auditLogTable } from '../../framework/privacy/audit-table';
import { sql } from 'drizzle-orm';

export const reviewsSchema = pgSchema('reviews');

export const reviews = reviewsSchema.table(
  'reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    modelId: uuid('model_id').notNull(),
    authorId: uuid('author_id').notNull(),
    rating: smallint('rating').notNull(),
    text: text('text').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('reviews_author_model_key').on(t.authorId, t.modelId),
    index('reviews_model_created_idx').on(t.modelId, t.createdAt.desc(), t.id.desc()),
    index('reviews_author_created_idx').on(t.authorId, t.createdAt.desc(), t.id.desc()),
    check('reviews_rating_range', sql`${t.rating} between 1 and 5`),
  ],
);

/** Per-model rating summary, kept in step with `reviews` in the same transaction as each write. */
export const modelRatings = reviewsSchema.table('model_ratings', {
  modelId: uuid('model_id').primaryKey(),
  count: integer('count').notNull(),
  sum: integer('sum').notNull(),
});

/** Critical operations done here (framework/privacy/audit-table.ts); append-only. */
export const auditLog = auditLogTable(reviewsSchema);

export const tables = { reviews, modelRatings, auditLog };
export type ReviewRow = typeof reviews.$inferSelect;
