import { additions, priceChanges } from '../live';
import { builder } from './builder';
import { OfferFilter } from './query';
import { Offer } from './refs';

/**
 * Live offers (subgraphs/offers/live.ts): fed by the outbox relay after commit, carried between
 * replicas by Redis pub/sub. Signed-in clients only: the gateway verifies the token when the
 * subscription starts and ends it when the token expires.
 */
builder.subscriptionType({
  fields: (t) => ({
    offerPriceChanged: t.field({
      type: Offer,
      description:
        'The offer each time its price changes (from now on). Ends with NOT_FOUND when there is no such offer.',
      authenticated: true,
      args: { offerId: t.arg.id({ required: true }) },
      subscribe: (_root, { offerId }, ctx) => priceChanges(ctx, offerId),
      resolve: (offer) => offer,
    }),
    offerAdded: t.field({
      type: Offer,
      description: 'Each offer created from now on that matches the filter (as `offers(filter:)` applies it).',
      authenticated: true,
      args: { filter: t.arg({ type: OfferFilter }) },
      subscribe: (_root, { filter }, ctx) => additions(ctx, filter),
      resolve: (offer) => offer,
    }),
  }),
});
