import { sql } from 'drizzle-orm';
import { defineChildPages } from '../framework';
import type { OffersContext } from './context';
import { offers } from './db/schema';
import type { ListedOffer } from './rows';

/** Same cursors as `Query.offers(orderBy: NEWEST)`: one format for every newest-first offer list. */
const shared = { table: offers, sort: 'offers:NEWEST', fromRaw };

/** A model's ACTIVE offers, newest first. */
export const modelOffers = defineChildPages<OffersContext, ListedOffer>({
  ...shared,
  parentColumn: 'model_id',
  only: sql`c.status = 'ACTIVE'`,
});

/** A seller's offers in every status, newest first. */
export const sellerOffers = defineChildPages<OffersContext, ListedOffer>({ ...shared, parentColumn: 'seller_id' });

function fromRaw(raw: Record<string, any>): ListedOffer {
  return {
    id: raw.id,
    sellerId: raw.seller_id,
    modelId: raw.model_id,
    makeId: raw.make_id,
    title: raw.title,
    price: raw.price,
    currency: raw.currency,
    year: raw.year,
    mileageKm: raw.mileage_km,
    city: raw.city,
    status: raw.status,
    photos: typeof raw.photos === 'string' ? JSON.parse(raw.photos) : raw.photos,
    createdAt: new Date(raw.cursor_at),
    updatedAt: new Date(raw.updated_at),
    cursorAt: raw.cursor_at,
  };
}
