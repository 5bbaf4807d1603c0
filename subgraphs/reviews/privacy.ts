import { count, eq } from 'drizzle-orm';
import { auditLog as auditLogOf, type ErasureTask } from '../framework';
import type { Database } from '../../kit/db';
import type { ReviewsContext } from './context';
import { auditLog, reviews, type tables } from './db/schema';

/** The reviews subgraph's audit log (reviews.audit_log). */
export const audit = auditLogOf(auditLog);

/** The account's reviews. */
export async function exportReviews(ctx: ReviewsContext, userId: string) {
  return {
    reviews: await ctx.db.select().from(reviews).where(eq(reviews.authorId, userId)).orderBy(reviews.createdAt),
  };
}

/**
 * Reviews stay: they are about the cars, and the erased account behind them now shows as
 * "Deleted user" (users keeps the anonymised row under the same id). Only the erasure is recorded.
 */
export async function eraseAuthor(db: Database<typeof tables>['db'], task: ErasureTask): Promise<void> {
  const [kept] = await db.select({ n: count() }).from(reviews).where(eq(reviews.authorId, task.userId));
  await audit.recordErasure(db, task, { reviewsKept: kept?.n ?? 0 });
}
