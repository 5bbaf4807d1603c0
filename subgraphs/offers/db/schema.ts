import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgSchema, text, timestamp, uuid, uniqueIndex } from 'drizzle-orm/pg-core';
import { auditLogTable } from '../../framework/privacy/audit-table';
import type { OfferEvent } from '../events';

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
 *
 * `idempotency_key` is the key a seller's createOffer carried (unique per seller, kept for good)
 * and `input_hash` the sha256 of the input it was created with, so a repeat with the same key is
 * told apart from a different create reusing it (idempotency.ts). Most offers have no key: the
 * unique index is partial.
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
    idempotencyKey: text('idempotency_key'),
    inputHash: text('input_hash'),
  },
  (t) => [
    index('offers_status_created_idx').on(t.status, t.createdAt.desc(), t.id.desc()),
    index('offers_status_price_idx').on(t.status, t.price, t.id),
    index('offers_status_mileage_idx').on(t.status, t.mileageKm, t.id),
    index('offers_seller_created_idx').on(t.sellerId, t.createdAt.desc(), t.id.desc()),
    index('offers_model_created_idx').on(t.modelId, t.createdAt.desc(), t.id.desc()),
    index('offers_make_created_idx').on(t.makeId, t.createdAt.desc(), t.id.desc()),
    index('offers_city_idx').on(t.city),
    uniqueIndex('offers_seller_idempotency_key_idx')
      .on(t.sellerId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
  ],
);

/**
 * The transactional outbox: every offer change writes its event here in the same transaction, so
 * an acknowledged change always has its event, and the relay (outbox/relay.ts) hands pending rows
 * to search. `claimed_until` is a relay's lease on a row while it hands it over; `sent_at` marks it
 * delivered (pruned later). The partial indexes keep the relay's queries on pending rows only.
 */
export const offerEvents = offersSchema.table(
  'offer_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    offerId: uuid('offer_id').notNull(),
    payload: jsonb('payload').$type<OfferEvent>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('offer_events_pending_idx').on(t.id).where(sql`${t.sentAt} is null`),
    index('offer_events_pending_offer_idx').on(t.offerId, t.id).where(sql`${t.sentAt} is null`),
    index('offer_events_sent_idx').on(t.sentAt).where(sql`${t.sentAt} is not null`),
  ],
);

/** Critical operations done here (framework/privacy/audit-table.ts); append-only. */
export const auditLog = auditLogTable(offersSchema);

export const tables = { offers, offerEvents, auditLog };
/** An offer as the API serves it; the idempotency columns are createOffer's alone (idempotency.ts). */
export type OfferRow = Omit<StoredOffer, 'idempotencyKey' | 'inputHash'>;
export type StoredOffer = typeof offers.$inferSelect;
