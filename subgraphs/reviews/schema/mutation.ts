import { addReview, RATING_MAX, RATING_MIN, TEXT_MAX, TEXT_MIN } from '../add-review';
import { builder } from './builder';
import { Review } from './refs';

const AddReviewInput = builder.inputType('AddReviewInput', {
  fields: (t) => ({
    modelId: t.id({ required: true }),
    rating: t.int({ required: true, description: `${RATING_MIN} to ${RATING_MAX}` }),
    text: t.string({ required: true, description: `${TEXT_MIN} to ${TEXT_MAX} characters` }),
  }),
});

builder.mutationType({
  fields: (t) => ({
    addReview: t.field({
      type: Review,
      description: 'Signed-in users only; one review per user and model.',
      authenticated: true,
      args: { input: t.arg({ type: AddReviewInput, required: true }) },
      resolve: (_root, { input }, ctx) => addReview(ctx, input),
    }),
  }),
});
