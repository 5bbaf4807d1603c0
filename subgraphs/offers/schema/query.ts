import { connectionNodeFields, isId } from '../../framework';
import { listOffers } from '../listing';
import { offerById } from '../loaders';
import { builder } from './builder';
import { OfferConnection, OfferOrder, OfferStatus } from './offer';
import { Offer } from './refs';

export const OfferFilter = builder.inputType('OfferFilter', {
  fields: (t) => ({
    makeId: t.id(),
    modelId: t.id(),
    sellerId: t.id(),
    city: t.string({ description: 'Case-insensitive.' }),
    priceMin: t.int(),
    priceMax: t.int(),
    yearMin: t.int(),
    yearMax: t.int(),
    status: t.field({ type: OfferStatus, defaultValue: 'ACTIVE', description: 'null: any status.' }),
  }),
});

builder.queryType({
  fields: (t) => ({
    offer: t.field({
      type: Offer,
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, ctx) => (isId(id) ? offerById(ctx).load(id.toLowerCase()) : null),
    }),
    offers: t.field({
      type: OfferConnection,
      args: {
        first: t.arg.int({ defaultValue: 20 }),
        after: t.arg.string(),
        filter: t.arg({ type: OfferFilter }),
        orderBy: t.arg({ type: OfferOrder, defaultValue: 'NEWEST' }),
      },
      resolve: (_root, args, ctx, info) => listOffers(ctx, args, connectionNodeFields(info)),
    }),
  }),
});
