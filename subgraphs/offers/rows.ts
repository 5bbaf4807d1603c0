import { sql } from 'drizzle-orm';
import { getTableColumns } from 'drizzle-orm';
import { offers, type OfferRow } from './db/schema';

/** An offer as read for lists: with created_at as exact text, the keyset cursor's sort value. */
export interface ListedOffer extends OfferRow {
  cursorAt: string;
}

/** Microseconds survive only as text: a JS Date would make cursors skip or repeat rows. */
const cursorAt = sql<string>`to_char(${offers.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Every column the API serves (not the idempotency columns, createOffer's alone), and the cursor's. */
const { idempotencyKey: _key, inputHash: _hash, ...servedColumns } = getTableColumns(offers);
export const listedColumns = { ...servedColumns, cursorAt };

type ListedColumn = keyof typeof listedColumns;

/**
 * The columns each field of Offer reads (schema/offer.ts), so a list reads only what its query
 * selects. A field missing here makes its list read every column: add new fields here.
 */
export const OFFER_FIELD_COLUMNS: Readonly<Record<string, readonly ListedColumn[]>> = {
  __typename: [],
  id: ['id'],
  title: ['title'],
  price: ['price'],
  currency: ['currency'],
  year: ['year'],
  mileageKm: ['mileageKm'],
  city: ['city'],
  status: ['status'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
  model: ['modelId'],
  seller: ['sellerId'],
  photos: ['photos'],
};

/**
 * The listed columns named (all of them for null), as drizzle selects them. Typed as every
 * column: the rows go to resolvers that read only the fields the query selected (columnsFor).
 */
export function pickColumns(names: readonly ListedColumn[] | null): typeof listedColumns {
  if (!names) return listedColumns;
  return Object.fromEntries(names.map((name) => [name, listedColumns[name]])) as typeof listedColumns;
}

/**
 * The columns a list needs for the Offer fields selected on its nodes, plus `always` (its
 * cursor's), in a stable order; null (every column) when a field is not in OFFER_FIELD_COLUMNS
 * or the selection could not be told.
 */
export function columnsFor(
  selected: ReadonlySet<string> | null,
  always: readonly ListedColumn[],
): ListedColumn[] | null {
  if (!selected) return null;
  const columns = new Set<ListedColumn>(always);
  for (const field of selected) {
    const needs = OFFER_FIELD_COLUMNS[field];
    if (!needs) return null;
    for (const column of needs) columns.add(column);
  }
  return (Object.keys(listedColumns) as ListedColumn[]).filter((column) => columns.has(column));
}
