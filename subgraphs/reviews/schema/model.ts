import { isId } from '../../framework';
import { ratingByModel } from '../loaders';
import { modelReviews } from '../pages';
import { ReviewConnection } from './connection';
import { RatingSummary } from './rating';
import { Model } from './refs';

Model.implement({
  externalFields: () => ({}),
  fields: (t) => ({
    id: t.exposeID('id'),
    rating: t.field({
      type: RatingSummary,
      nullable: true,
      description: 'null when the model has no reviews',
      resolve: (model, _args, ctx) => (isId(model.id) ? ratingByModel(ctx).load(model.id.toLowerCase()) : null),
    }),
    reviews: t.field({
      type: ReviewConnection,
      description: 'Newest first.',
      args: { first: t.arg.int({ defaultValue: 20 }), after: t.arg.string() },
      resolve: (model, args, ctx) => modelReviews(ctx, model.id, args),
    }),
  }),
});
