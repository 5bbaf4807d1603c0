import { createOffer, setOfferStatus, updateOfferPrice } from '../writes';
import { builder } from './builder';
import { Currency, OfferStatus } from './offer';
import { Offer } from './refs';

const CreateOfferInput = builder.inputType('CreateOfferInput', {
  fields: (t) => ({
    modelId: t.id({ required: true }),
    title: t.string({ required: true }),
    price: t.int({ required: true }),
    currency: t.field({ type: Currency, required: true, defaultValue: 'RUB' }),
    year: t.int({ required: true }),
    mileageKm: t.int({ required: true }),
    city: t.string({ required: true }),
  }),
});

builder.mutationType({
  fields: (t) => ({
    createOffer: t.field({
      type: Offer,
      description: 'Seller only: the offer belongs to the signed-in user.',
      authenticated: true,
      requiresScopes: [['SELLER'], ['DEALER']],
      args: { input: t.arg({ type: CreateOfferInput, required: true }) },
      resolve: (_root, { input }, ctx) => createOffer(ctx, input),
    }),
    updateOfferPrice: t.field({
      type: Offer,
      description: 'Owner only.',
      authenticated: true,
      args: { id: t.arg.id({ required: true }), price: t.arg.int({ required: true }) },
      resolve: (_root, { id, price }, ctx) => updateOfferPrice(ctx, id, price),
    }),
    setOfferStatus: t.field({
      type: Offer,
      description: 'Owner only.',
      authenticated: true,
      args: { id: t.arg.id({ required: true }), status: t.arg({ type: OfferStatus, required: true }) },
      resolve: (_root, { id, status }, ctx) => setOfferStatus(ctx, id, status),
    }),
  }),
});
