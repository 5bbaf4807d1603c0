import { isId } from '../../framework';
import { reviewById } from '../loaders';
import { builder } from './builder';
import { Model, Review, User } from './refs';

Review.implement({
  description: "A user's review of a car model.",
  fields: (t) => ({
    id: t.exposeID('id'),
    rating: t.exposeInt('rating', { description: '1 to 5' }),
    text: t.exposeString('text'),
    createdAt: t.field({ type: 'DateTime', resolve: (review) => review.createdAt }),
    // Other subgraphs' entities: only the key, the gateway fetches the rest from their owners.
    author: t.field({ type: User, resolve: (review) => ({ id: review.authorId }) }),
    model: t.field({ type: Model, resolve: (review) => ({ id: review.modelId }) }),
  }),
});

builder.asEntity(Review, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => (isId(ref.id) ? reviewById(ctx).load(ref.id.toLowerCase()) : null),
});
