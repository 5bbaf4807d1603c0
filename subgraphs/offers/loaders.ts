import { inArray } from 'drizzle-orm';
import { byKey, defineLoader } from '../framework';
import type { OffersContext } from './context';
import { offers } from './db/schema';

export const offerById = defineLoader(async (ids: readonly string[], ctx: OffersContext) =>
  byKey(
    ids,
    await ctx.db
      .select()
      .from(offers)
      .where(inArray(offers.id, [...ids])),
    (row) => row.id,
  ),
);
