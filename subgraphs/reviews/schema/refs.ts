import type { ReviewRow } from '../db/schema';
import { builder } from './builder';

/**
 * The graph's entity refs, declared apart from their fields so the files that implement them
 * can refer to each other (a Review has a Model; a Model has reviews) without import cycles.
 * Model and User belong to other subgraphs: here they are keys we extend with fields.
 */
export const Review = builder.objectRef<ReviewRow>('Review');
export const Model = builder.externalRef('Model', builder.selection<{ id: string }>('id'));
export const User = builder.externalRef('User', builder.selection<{ id: string }>('id'));
