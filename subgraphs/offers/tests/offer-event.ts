import type { OfferEvent } from '../events';

/** An offer event whose contents do not matter to the test, only its offer id. */
export const offerEvent = (id: string): OfferEvent => ({
  type: 'offer.changed',
  offer: {
    id,
    sellerId: id,
    modelId: id,
    makeId: 'm',
    title: 't',
    price: 1,
    currency: 'RUB',
    year: 2020,
    mileageKm: 1,
    city: 'c',
    status: 'ACTIVE',
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  },
});
