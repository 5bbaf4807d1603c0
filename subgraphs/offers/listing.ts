import { and, asc, desc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import { badInput, checkFirst, decodeCursor, encodeCursor, isId, toPage, type Page } from '../framework';
import type { OffersContext } from './context';
import { offers } from './db/schema';
import { listedColumns, type ListedOffer } from './rows';

export type OfferOrder = 'NEWEST' | 'PRICE_ASC' | 'PRICE_DESC' | 'MILEAGE_ASC';

export interface OfferFilter {
  makeId?: string | null;
  modelId?: string | null;
  sellerId?: string | null;
  city?: string | null;
  priceMin?: number | null;
  priceMax?: number | null;
  yearMin?: number | null;
  yearMax?: number | null;
  /** Defaults to ACTIVE in the schema; an explicit null means any status. */
  status?: 'ACTIVE' | 'SOLD' | 'ARCHIVED' | null;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * Keyset orderings: each names its sort key, how a row becomes a cursor, and the condition that
 * continues after a cursor. Every ordering ends on id, so ties never skip or repeat rows.
 */
const ORDERINGS: Record<
  OfferOrder,
  {
    orderBy: SQL[];
    cursor: (row: ListedOffer) => (string | number)[];
    after: (values: (string | number)[]) => SQL;
    valid: (values: (string | number)[]) => boolean;
  }
> = {
  NEWEST: {
    // NULLS LAST as in the (status|seller|model|make, created_at, id) indexes: plain DESC means
    // NULLS FIRST, which no index serves, and the list would scan and sort every matching offer.
    orderBy: [sql`${offers.createdAt} desc nulls last`, sql`${offers.id} desc nulls last`],
    cursor: (row) => [row.cursorAt, row.id],
    after: ([at, id]) => sql`(${offers.createdAt}, ${offers.id}) < (${at}::text::timestamptz, ${id}::uuid)`,
    valid: ([at, id]) => typeof at === 'string' && TIMESTAMP.test(at) && typeof id === 'string' && isId(id),
  },
  PRICE_ASC: {
    orderBy: [asc(offers.price), asc(offers.id)],
    cursor: (row) => [row.price, row.id],
    after: ([price, id]) => sql`(${offers.price}, ${offers.id}) > (${price}::int, ${id}::uuid)`,
    valid: ([price, id]) => Number.isInteger(price) && typeof id === 'string' && isId(id),
  },
  PRICE_DESC: {
    orderBy: [desc(offers.price), desc(offers.id)],
    cursor: (row) => [row.price, row.id],
    after: ([price, id]) => sql`(${offers.price}, ${offers.id}) < (${price}::int, ${id}::uuid)`,
    valid: ([price, id]) => Number.isInteger(price) && typeof id === 'string' && isId(id),
  },
  MILEAGE_ASC: {
    orderBy: [asc(offers.mileageKm), asc(offers.id)],
    cursor: (row) => [row.mileageKm, row.id],
    after: ([km, id]) => sql`(${offers.mileageKm}, ${offers.id}) > (${km}::int, ${id}::uuid)`,
    valid: ([km, id]) => Number.isInteger(km) && typeof id === 'string' && isId(id),
  },
};

/** A filter whose IDs are malformed can match nothing; it is not an error to ask. */
function filterCondition(filter: OfferFilter): SQL | undefined | false {
  for (const id of [filter.makeId, filter.modelId, filter.sellerId]) if (id != null && !isId(id)) return false;
  return and(
    filter.makeId != null ? eq(offers.makeId, filter.makeId.toLowerCase()) : undefined,
    filter.modelId != null ? eq(offers.modelId, filter.modelId.toLowerCase()) : undefined,
    filter.sellerId != null ? eq(offers.sellerId, filter.sellerId.toLowerCase()) : undefined,
    filter.city != null ? sql`lower(${offers.city}) = lower(${filter.city})` : undefined,
    filter.priceMin != null ? gte(offers.price, filter.priceMin) : undefined,
    filter.priceMax != null ? lte(offers.price, filter.priceMax) : undefined,
    filter.yearMin != null ? gte(offers.year, filter.yearMin) : undefined,
    filter.yearMax != null ? lte(offers.year, filter.yearMax) : undefined,
    filter.status != null ? eq(offers.status, filter.status) : undefined,
  );
}

function cursorFor(order: OfferOrder, row: ListedOffer) {
  return encodeCursor(`offers:${order}`, ORDERINGS[order].cursor(row));
}

function parseAfter(order: OfferOrder, after: string | null | undefined) {
  const values = decodeCursor(after, `offers:${order}`, 2);
  if (values && !ORDERINGS[order].valid(values))
    throw badInput('after is not a valid cursor for this list and ordering', 'after');
  return values;
}

/** `Query.offers`: one statement for the page, one more only if totalCount is selected. */
export async function listOffers(
  ctx: OffersContext,
  args: { first?: number | null; after?: string | null; filter?: OfferFilter | null; orderBy?: OfferOrder | null },
): Promise<Page<ListedOffer>> {
  const first = checkFirst(args.first);
  const order = args.orderBy ?? 'NEWEST';
  const after = parseAfter(order, args.after);
  const filter = args.filter === undefined || args.filter === null ? { status: 'ACTIVE' as const } : args.filter;
  const condition = filterCondition(filter);
  if (condition === false)
    return toPage(
      [],
      first,
      (row) => cursorFor(order, row),
      () => 0,
    );
  const rows = await ctx.db
    .select(listedColumns)
    .from(offers)
    .where(and(condition, after ? ORDERINGS[order].after(after) : undefined))
    .orderBy(...ORDERINGS[order].orderBy)
    .limit(first + 1);
  return toPage(
    rows,
    first,
    (row) => cursorFor(order, row),
    async () => {
      const [{ total }] = (await ctx.db
        .select({ total: sql<number>`count(*)::int` })
        .from(offers)
        .where(condition)) as [{ total: number }];
      return total;
    },
  );
}
