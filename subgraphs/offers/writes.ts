import { eq } from 'drizzle-orm';
import { Counter } from 'prom-client';
import { badInput, forbidden, isId, notFound, requireId, requireViewer } from '../framework';
import type { OffersContext } from './context';
import { offers, type OfferRow } from './db/schema';
import { createdWithKey, idempotencyOf, KEY_CONFLICT_TARGET, replay } from './idempotency';
import { recordOfferChange } from './outbox/store';
import { auditOfferChange } from './privacy';

export interface CreateOfferInput {
  modelId: string;
  title: string;
  price: number;
  currency: 'RUB' | 'USD' | 'EUR';
  year: number;
  mileageKm: number;
  city: string;
  idempotencyKey?: string | null;
}

const MAX_PRICE = 2_000_000_000;

// Once per process, in the default registry the subgraph's /metrics serves (business dashboard).
const offersCreated = new Counter({
  name: 'autograph_offers_created_total',
  help: 'Offers created (committed with their outbox event; a repeat with the same idempotency key is not counted again)',
});

function checkPrice(price: number) {
  if (!Number.isInteger(price) || price < 1 || price > MAX_PRICE)
    throw badInput(`price must be between 1 and ${MAX_PRICE} (minor units)`, 'price');
}

/** The input checked and normalized (trimmed text, a lower-case model id): what is stored, and what a key's hash covers. */
function checkOffer(input: CreateOfferInput) {
  const title = input.title.trim();
  const city = input.city.trim();
  if (title.length < 3 || title.length > 200) throw badInput('title must be 3 to 200 characters', 'title');
  checkPrice(input.price);
  const maxYear = new Date().getUTCFullYear() + 1;
  if (input.year < 1950 || input.year > maxYear) throw badInput(`year must be between 1950 and ${maxYear}`, 'year');
  if (input.mileageKm < 0 || input.mileageKm > 5_000_000)
    throw badInput('mileageKm must be between 0 and 5000000', 'mileageKm');
  if (city.length < 1 || city.length > 100) throw badInput('city must be 1 to 100 characters', 'city');
  const modelId = requireId(input.modelId, 'modelId');
  const { price, currency, year, mileageKm } = input;
  return { modelId, title, price, currency, year, mileageKm, city };
}

/**
 * Sellers and dealers list cars; buyers-only accounts do not. With an idempotency key a repeat
 * returns the offer the key created (idempotency.ts): looked up first, so a retry needs no catalog;
 * a concurrent create with the same key is settled by the unique index (ON CONFLICT DO NOTHING
 * waits for the other transaction, then its row is read), so exactly one row and one event exist.
 */
export async function createOffer(ctx: OffersContext, input: CreateOfferInput): Promise<OfferRow> {
  const viewer = requireViewer(ctx);
  if (!viewer.roles.some((role) => role === 'SELLER' || role === 'DEALER'))
    throw forbidden('Only sellers and dealers can create offers');
  const fields = checkOffer(input);
  const idempotency = input.idempotencyKey == null ? null : idempotencyOf(input.idempotencyKey, fields);
  if (idempotency) {
    const [existing] = await ctx.db.select().from(offers).where(createdWithKey(viewer.userId, idempotency.key));
    if (existing) return replay(existing, idempotency);
  }
  const model = await ctx.catalog.getModel(fields.modelId);
  if (!model) throw notFound('Model', input.modelId);
  const { row, created } = await ctx.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(offers)
      .values({
        ...fields,
        sellerId: viewer.userId,
        makeId: model.make.id,
        idempotencyKey: idempotency?.key,
        inputHash: idempotency?.inputHash,
      })
      .onConflictDoNothing(KEY_CONFLICT_TARGET)
      .returning();
    if (inserted) {
      await recordOfferChange(tx, inserted);
      return { row: inserted, created: true };
    }
    // Only a key conflicts: a create with the same key committed while this one ran.
    const [existing] = await tx.select().from(offers).where(createdWithKey(viewer.userId, idempotency!.key));
    return { row: replay(existing!, idempotency!), created: false };
  });
  if (created) {
    offersCreated.inc();
    ctx.outbox.wake();
  }
  return row;
}

/**
 * Owner-only change of one offer, under a row lock so concurrent edits apply one after another
 * (and their events are written in that order).
 */
async function updateOwned(
  ctx: OffersContext,
  id: string,
  change: Partial<Pick<OfferRow, 'price' | 'status'>>,
): Promise<OfferRow> {
  const viewer = requireViewer(ctx);
  const offerId = isId(id) ? id.toLowerCase() : null;
  if (!offerId) throw notFound('Offer', id);
  const row = await ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(offers).where(eq(offers.id, offerId)).for('update');
    if (!current) throw notFound('Offer', id);
    if (current.sellerId !== viewer.userId) throw forbidden('Only the seller can change this offer');
    const [updated] = await tx
      .update(offers)
      .set({ ...change, updatedAt: new Date() })
      .where(eq(offers.id, offerId))
      .returning();
    await recordOfferChange(tx, updated!);
    await auditOfferChange(tx, ctx, current, updated!);
    return updated!;
  });
  ctx.outbox.wake();
  return row;
}

export function updateOfferPrice(ctx: OffersContext, id: string, price: number) {
  checkPrice(price);
  return updateOwned(ctx, id, { price });
}

export function setOfferStatus(ctx: OffersContext, id: string, status: OfferRow['status']) {
  return updateOwned(ctx, id, { status });
}
