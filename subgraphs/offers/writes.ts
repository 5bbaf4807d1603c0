import { eq } from 'drizzle-orm';
import { badInput, forbidden, isId, notFound, requireId, requireViewer } from '../framework';
import type { OfferSnapshot } from './events';
import type { OffersContext } from './context';
import { offers, type OfferRow } from './db/schema';

export interface CreateOfferInput {
  modelId: string;
  title: string;
  price: number;
  currency: 'RUB' | 'USD' | 'EUR';
  year: number;
  mileageKm: number;
  city: string;
}

const MAX_PRICE = 2_000_000_000;

function checkPrice(price: number) {
  if (!Number.isInteger(price) || price < 1 || price > MAX_PRICE)
    throw badInput(`price must be between 1 and ${MAX_PRICE} (minor units)`, 'price');
}

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
  return { title, city };
}

const snapshot = (row: OfferRow): OfferSnapshot => ({
  id: row.id,
  sellerId: row.sellerId,
  modelId: row.modelId,
  makeId: row.makeId,
  title: row.title,
  price: row.price,
  currency: row.currency,
  year: row.year,
  mileageKm: row.mileageKm,
  city: row.city,
  status: row.status,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Sellers and dealers list cars; buyers-only accounts do not. */
export async function createOffer(ctx: OffersContext, input: CreateOfferInput): Promise<OfferRow> {
  const viewer = requireViewer(ctx);
  if (!viewer.roles.some((role) => role === 'SELLER' || role === 'DEALER'))
    throw forbidden('Only sellers and dealers can create offers');
  const { title, city } = checkOffer(input);
  const modelId = requireId(input.modelId, 'modelId');
  const model = await ctx.catalog.getModel(modelId);
  if (!model) throw notFound('Model', input.modelId);
  const [row] = await ctx.db
    .insert(offers)
    .values({
      sellerId: viewer.userId,
      modelId,
      makeId: model.make.id,
      title,
      price: input.price,
      currency: input.currency,
      year: input.year,
      mileageKm: input.mileageKm,
      city,
    })
    .returning();
  ctx.events.publish({ type: 'offer.changed', offer: snapshot(row!) });
  return row!;
}

/** Owner-only change of one offer, under a row lock so concurrent edits apply one after another. */
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
    return updated!;
  });
  ctx.events.publish({ type: 'offer.changed', offer: snapshot(row) });
  return row;
}

export function updateOfferPrice(ctx: OffersContext, id: string, price: number) {
  checkPrice(price);
  return updateOwned(ctx, id, { price });
}

export function setOfferStatus(ctx: OffersContext, id: string, status: OfferRow['status']) {
  return updateOwned(ctx, id, { status });
}
