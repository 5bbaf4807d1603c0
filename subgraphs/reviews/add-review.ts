import { sql } from 'drizzle-orm';
import { badInput, conflict, isId, notFound, requireId, requireViewer, unauthenticated } from '../framework';
import type { ReviewsContext } from './context';
import { modelRatings, reviews, type ReviewRow } from './db/schema';

export interface AddReviewInput {
  modelId: string;
  rating: number;
  text: string;
}

export const RATING_MIN = 1;
export const RATING_MAX = 5;
export const TEXT_MIN = 10;
export const TEXT_MAX = 5000;

/** The unique index that makes "one review per user and model" hold under concurrent requests. */
const ONE_PER_AUTHOR_AND_MODEL = 'reviews_author_model_key';

/**
 * Adds the viewer's review of a model. The review and the model's rating summary are written in
 * one transaction, so `rating.count` always equals the number of reviews.
 */
export async function addReview(ctx: ReviewsContext, input: AddReviewInput): Promise<ReviewRow> {
  const viewer = requireViewer(ctx);
  // author_id is a UUID column: a token for something that is not a user cannot write here.
  if (!isId(viewer.userId)) throw unauthenticated('Access token subject is not a user ID');
  const review = validate(input);

  if (!(await ctx.catalog.getModel(review.modelId))) throw notFound('Model', review.modelId);

  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(reviews)
        .values({ ...review, authorId: viewer.userId.toLowerCase() })
        .returning();
      await tx
        .insert(modelRatings)
        .values({ modelId: review.modelId, count: 1, sum: review.rating })
        .onConflictDoUpdate({
          target: modelRatings.modelId,
          set: { count: sql`${modelRatings.count} + 1`, sum: sql`${modelRatings.sum} + excluded.sum` },
        });
      return row!;
    });
  } catch (error) {
    // The check is the unique index itself, not a read before the insert: a concurrent duplicate
    // waits for the first transaction and then fails here, instead of slipping through.
    if (isUniqueViolation(error, ONE_PER_AUTHOR_AND_MODEL)) {
      throw conflict('You have already reviewed this model: one review per user and model');
    }
    throw error;
  }
}

function validate(input: AddReviewInput): AddReviewInput {
  const modelId = requireId(input.modelId, 'modelId');
  if (!Number.isInteger(input.rating) || input.rating < RATING_MIN || input.rating > RATING_MAX) {
    throw badInput(`rating must be a whole number from ${RATING_MIN} to ${RATING_MAX}, got ${input.rating}`, 'rating');
  }
  const text = input.text.trim();
  const length = [...text].length; // characters as people count them, not UTF-16 units
  if (length < TEXT_MIN || length > TEXT_MAX) {
    throw badInput(`text must be ${TEXT_MIN} to ${TEXT_MAX} characters after trimming, got ${length}`, 'text');
  }
  return { modelId, rating: input.rating, text };
}

/** Drizzle wraps driver errors in DrizzleQueryError; the PostgreSQL code sits on the cause. */
function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (
    let e = error as { code?: string; constraint_name?: string; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (e.code === '23505') return e.constraint_name === constraint;
  }
  return false;
}
