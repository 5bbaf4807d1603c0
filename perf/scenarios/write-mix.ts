import { modelIds, offerIds } from './pools';
import { defineScenario } from './types';

/** Signed-in writes at a marketplace's ratio: price changes dominate, new offers and reviews follow. */
export default defineScenario({
  name: 'write-mix',
  description: 'Authenticated createOffer / updateOfferPrice / addReview at 3 : 5 : 2.',
  pools: { models: modelIds, offers: offerIds },
  users: 50,
  operations: [
    {
      name: 'create-offer',
      weight: 3,
      auth: true,
      query: 'mutation CreateOffer($input: CreateOfferInput!) { createOffer(input: $input) { id price } }',
      // With an idempotency key, as a real client sends it: a create retried after no clear answer stays one offer.
      variables: ({ pick, int, pools, sequence, requestKey }) => ({
        input: {
          idempotencyKey: requestKey,
          modelId: pick(pools.models!),
          title: `Load test car ${sequence}`,
          price: int(3, 60) * 50_000,
          year: int(2000, 2024),
          mileageKm: int(0, 300) * 1_000,
          city: pick(['Moscow', 'Kazan', 'Perm', 'Omsk']),
        },
      }),
    },
    {
      // Owner-only: for most picked offers the user is not the owner, so this measures the
      // authorization path as much as the write (FORBIDDEN answers are expected, not failures).
      name: 'update-offer-price',
      weight: 5,
      auth: true,
      query: 'mutation UpdatePrice($id: ID!, $price: Int!) { updateOfferPrice(id: $id, price: $price) { id price } }',
      variables: ({ pick, int, pools }) => ({ id: pick(pools.offers!), price: int(3, 60) * 50_000 }),
      expectedErrors: ['FORBIDDEN'],
    },
    {
      name: 'add-review',
      weight: 2,
      auth: true,
      query: 'mutation AddReview($input: AddReviewInput!) { addReview(input: $input) { id rating } }',
      variables: ({ pick, int, pools, sequence }) => ({
        input: {
          modelId: pick(pools.models!),
          rating: int(1, 5),
          text: `Load test review ${sequence}: drives well, cheap to run.`,
        },
      }),
      // One review per user and model: repeats are answered CONFLICT, as they should be.
      expectedErrors: ['CONFLICT'],
    },
  ],
  load: { connections: 8, durationSec: 20 },
  thresholds: { p95Ms: 300, maxErrorRate: 0.001 },
});
