import { createOffer, setOfferStatus, updateOfferPrice } from '../writes';
import { builder } from './builder';
import { Currency, OfferStatus } from './offer';
import { Offer } from './refs';

const IDEMPOTENCY_KEY_DESCRIPTION = `Makes createOffer safe to retry: a key unique to this new offer, 8 to 128 characters of A-Z, a-z, 0-9, _ - : . (a UUID will do).
The key belongs to the signed-in seller and is kept with the offer for good: it does not expire.
Sent again with the same input, it returns the offer the key created (no second offer); with a different input the create fails with IDEMPOTENCY_KEY_REUSED and writes nothing.
So with a key, a createOffer that failed without a clear answer (GATEWAY_TIMEOUT, SUBGRAPH_UNAVAILABLE, SERVICE_UNAVAILABLE, or a lost connection) can be sent again as it was.`;

const CreateOfferInput = builder.inputType('CreateOfferInput', {
  fields: (t) => ({
    modelId: t.id({ required: true }),
    title: t.string({ required: true }),
    price: t.int({ required: true }),
    currency: t.field({ type: Currency, required: true, defaultValue: 'RUB' }),
    year: t.int({ required: true }),
    mileageKm: t.int({ required: true }),
    city: t.string({ required: true }),
    idempotencyKey: t.string({
      required: false,
      description: IDEMPOTENCY_KEY_DESCRIPTION,
    }),
  }),
});

builder.mutationType({
  fields: (t) => ({
    createOffer: t.field({
      type: Offer,
      description:
        'Seller only: the offer belongs to the signed-in user. Safe to retry when the input carries an idempotencyKey.',
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
