import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const offersSchema = pgSchema('offers');

export const currency = offersSchema.enum('currency', ['RUB', 'USD', 'EUR']);
export const offerStatus = offersSchema.enum('offer_status', ['ACTIVE', 'SOLD', 'ARCHIVED']);

export interface Photo {
  url: string;
  width: number;
  height: number;
}

/**
 * Car listings. `make_id` is copied from the catalog when the offer is created so that the
 * `makeId` filter needs no cross-subgraph join. Indexes serve keyset pagination by
 * (created_at, id) and by price, per status and per seller/model/make.
 */
export const offers = offersSchema.table(
  'offers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sellerId: uuid('seller_id').notNull(),
    modelId: uuid('model_id').notNull(),
    makeId: uuid('make_id').notNull(),
    title: text('title').notNull(),
    price: integer('price').notNull(),
    currency: currency('currency').notNull().default('RUB'),
    year: integer('year').notNull(),
    mileageKm: integer('mileage_km').notNull(),
    city: text('city').notNull(),
    status: offerStatus('status').notNull().default('ACTIVE'),
    photos: jsonb('photos').$type<Photo[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('offers_status_created_idx').on(t.status, t.createdAt.desc(), t.id.desc()),
    index('offers_status_price_idx').on(t.status, t.price, t.id),
    index('offers_status_mileage_idx').on(t.status, t.mileageKm, t.id),
    index('offers_seller_created_idx').on(t.sellerId, t.createdAt.desc(), t.id.desc()),
    index('offers_model_created_idx').on(t.modelId, t.createdAt.desc(), t.id.desc()),
    index('offers_make_created_idx').on(t.makeId, t.createdAt.desc(), t.id.desc()),
    index('offers_city_idx').on(t.city),
  ],
);

export const tables = { offers };
export type OfferRow = typeof offers.$inferSelect;
