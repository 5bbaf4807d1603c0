import { modelOffers, sellerOffers } from '../pages';
import { OfferConnection } from './offer';
import { Model, User } from './refs';

Model.implement({
  externalFields: () => ({}),
  fields: (t) => ({
    id: t.exposeID('id'),
    offers: t.field({
      type: OfferConnection,
      description: 'Active offers of this model, newest first.',
      args: { first: t.arg.int({ defaultValue: 20 }), after: t.arg.string() },
      resolve: (model, args, ctx) => modelOffers(ctx, model.id, args),
    }),
  }),
});

User.implement({
  externalFields: () => ({}),
  fields: (t) => ({
    id: t.exposeID('id'),
    offers: t.field({
      type: OfferConnection,
      description: "The seller's offers in every status, newest first.",
      args: { first: t.arg.int({ defaultValue: 20 }), after: t.arg.string() },
      resolve: (user, args, ctx) => sellerOffers(ctx, user.id, args),
    }),
  }),
});
