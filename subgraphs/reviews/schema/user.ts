import { authorReviews } from '../pages';
import { ReviewConnection } from './connection';
import { User } from './refs';

User.implement({
  externalFields: () => ({}),
  fields: (t) => ({
    id: t.exposeID('id'),
    reviews: t.field({
      type: ReviewConnection,
      description: "The user's reviews, newest first.",
      args: { first: t.arg.int({ defaultValue: 20 }), after: t.arg.string() },
      resolve: (user, args, ctx) => authorReviews(ctx, user.id, args),
    }),
  }),
});
