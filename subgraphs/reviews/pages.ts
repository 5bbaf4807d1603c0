import { defineChildPages, type ChildRow } from '../framework';
import type { ReviewsContext } from './context';
import { reviews, type ReviewRow } from './db/schema';

/** A review as read for lists: with created_at as exact text, the keyset cursor's sort value. */
export interface PagedReview extends ReviewRow, ChildRow {}

const shared = { table: reviews, sort: 'reviews:created_desc', fromRaw };

/** A model's reviews, newest first. */
export const modelReviews = defineChildPages<ReviewsContext, PagedReview>({ ...shared, parentColumn: 'model_id' });

/** A user's reviews, newest first. */
export const authorReviews = defineChildPages<ReviewsContext, PagedReview>({ ...shared, parentColumn: 'author_id' });

function fromRaw(raw: Record<string, any>): PagedReview {
  return {
    id: raw.id,
    modelId: raw.model_id,
    authorId: raw.author_id,
    rating: raw.rating,
    text: raw.text,
    createdAt: new Date(raw.cursor_at),
    cursorAt: raw.cursor_at,
  };
}
