import { sql } from 'drizzle-orm';
import { getTableColumns } from 'drizzle-orm';
import { offers, type OfferRow } from './db/schema';

/** An offer as read for lists: with created_at as exact text, the keyset cursor's sort value. */
export interface ListedOffer extends OfferRow {
  cursorAt: string;
}

/** Microseconds survive only as text: a JS Date would make cursors skip or repeat rows. */
const cursorAt = sql<string>`to_char(${offers.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const listedColumns = { ...getTableColumns(offers), cursorAt };
