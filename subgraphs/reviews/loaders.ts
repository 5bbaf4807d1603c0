import { inArray } from 'drizzle-orm';
import { byKey, defineLoader } from '../framework';
import type { ReviewsContext } from './context';
import { modelRatings, reviews } from './db/schema';

export const reviewById = defineLoader(async (ids: readonly string[], ctx: ReviewsContext) =>
  byKey(
    ids,
    await ctx.db
      .select()
      .from(reviews)
      .where(inArray(reviews.id, [...ids])),
    (row) => row.id,
  ),
);

/** The per-model summary row, or null when the model has no reviews yet. */
export const ratingByModel = defineLoader(async (modelIds: readonly string[], ctx: ReviewsContext) =>
  byKey(
    modelIds,
    await ctx.db
      .select()
      .from(modelRatings)
      .where(inArray(modelRatings.modelId, [...modelIds])),
    (row) => row.modelId,
  ),
);
