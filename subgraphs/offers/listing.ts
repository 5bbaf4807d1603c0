import { and, asc, desc, eq, gte, lte, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import {
  badInput,
  checkFirst,
  decodeCursor,
  definePreparedQuery,
  encodeCursor,
  isId,
  toPage,
  type Page,
} from '../framework';
import type { OffersContext } from './context';
import { offers } from './db/schema';
import { columnsFor, pickColumns, type ListedOffer } from './rows';

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
    /** The columns the cursor is made of: read whatever the query selects. */
    cursorColumns: ('cursorAt' | 'price' | 'mileageKm' | 'id')[];
    cursor: (row: ListedOffer) => (string | number)[];
    /** The condition on the cursor's values (placeholders in the prepared list query). */
    after: (values: SQLWrapper[]) => SQL;
    valid: (values: (string | number)[]) => boolean;
  }
> = {
  NEWEST: {
    // NULLS LAST as in the (status|seller|model|make, created_at, id) indexes: plain DESC means
    // NULLS FIRST, which no index serves, and the list would scan and sort every matching offer.
    orderBy: [sql`${offers.createdAt} desc nulls last`, sql`${offers.id} desc nulls last`],
    cursorColumns: ['cursorAt', 'id'],
    cursor: (row) => [row.cursorAt, row.id],
    after: ([at, id]) => sql`(${offers.createdAt}, ${offers.id}) < (${at}::text::timestamptz, ${id}::uuid)`,
    valid: ([at, id]) => typeof at === 'string' && TIMESTAMP.test(at) && typeof id === 'string' && isId(id),
  },
  PRICE_ASC: {
    orderBy: [asc(offers.price), asc(offers.id)],
    cursorColumns: ['price', 'id'],
    cursor: (row) => [row.price, row.id],
    after: ([price, id]) => sql`(${offers.price}, ${offers.id}) > (${price}::int, ${id}::uuid)`,
    valid: ([price, id]) => Number.isInteger(price) && typeof id === 'string' && isId(id),
  },
  PRICE_DESC: {
    orderBy: [desc(offers.price), desc(offers.id)],
    cursorColumns: ['price', 'id'],
    cursor: (row) => [row.price, row.id],
    after: ([price, id]) => sql`(${offers.price}, ${offers.id}) < (${price}::int, ${id}::uuid)`,
    valid: ([price, id]) => Number.isInteger(price) && typeof id === 'string' && isId(id),
  },
  MILEAGE_ASC: {
    orderBy: [asc(offers.mileageKm), asc(offers.id)],
    cursorColumns: ['mileageKm', 'id'],
    cursor: (row) => [row.mileageKm, row.id],
    after: ([km, id]) => sql`(${offers.mileageKm}, ${offers.id}) > (${km}::int, ${id}::uuid)`,
    valid: ([km, id]) => Number.isInteger(km) && typeof id === 'string' && isId(id),
  },
};

type FilterKey = keyof OfferFilter;

/** Each filter's condition on its placeholder, in the order they appear in the statement. */
const FILTERS: Record<FilterKey, (value: SQLWrapper) => SQL> = {
  makeId: (value) => eq(offers.makeId, value),
  modelId: (value) => eq(offers.modelId, value),
  sellerId: (value) => eq(offers.sellerId, value),
  city: (value) => sql`lower(${offers.city}) = lower(${value})`,
  priceMin: (value) => gte(offers.price, value),
  priceMax: (value) => lte(offers.price, value),
  yearMin: (value) => gte(offers.year, value),
  yearMax: (value) => lte(offers.year, value),
  status: (value) => eq(offers.status, value),
};
const FILTER_KEYS = Object.keys(FILTERS) as FilterKey[];
const ID_FILTERS = new Set<FilterKey>(['makeId', 'modelId', 'sellerId']);

/**
 * The filters set and their values (IDs lower-cased), or false when a malformed ID means nothing
 * can match: it is not an error to ask.
 */
function filterValues(filter: OfferFilter): Partial<Record<FilterKey, string | number>> | false {
  const values: Partial<Record<FilterKey, string | number>> = {};
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value == null) continue;
    if (ID_FILTERS.has(key)) {
      if (!isId(value as string)) return false;
      values[key] = (value as string).toLowerCase();
    } else values[key] = value;
  }
  return values;
}

const filterCondition = (keys: FilterKey[]) => and(...keys.map((key) => FILTERS[key](sql.placeholder(key))));

/**
 * The page query per shape (`<order>:<filters set>:<after or not>:<columns, or * for all>`),
 * values as placeholders: one prepared statement per shape in use rather than SQL text built per
 * request.
 */
const listQuery = definePreparedQuery('offers.list', (db: OffersContext['db'], shape: string) => {
  const [order, filters, after, columns] = shape.split(':') as [OfferOrder, string, string, string];
  const keys = filters ? (filters.split(',') as FilterKey[]) : [];
  const ordering = ORDERINGS[order];
  return db
    .select(pickColumns(columns === '*' ? null : (columns.split(',') as Parameters<typeof pickColumns>[0])))
    .from(offers)
    .where(
      and(
        filterCondition(keys),
        after ? ordering.after([sql.placeholder('after0'), sql.placeholder('after1')]) : undefined,
      ),
    )
    .orderBy(...ordering.orderBy)
    .limit(sql.placeholder('limit'));
});

/** The columns part of a list's shape, per selection (itself kept per document) and ordering. */
const columnKeys = new WeakMap<ReadonlySet<string>, Map<OfferOrder, string>>();

function columnsKey(selected: ReadonlySet<string> | null, order: OfferOrder): string {
  if (!selected) return '*';
  let byOrder = columnKeys.get(selected);
  if (!byOrder) columnKeys.set(selected, (byOrder = new Map()));
  let key = byOrder.get(order);
  if (key === undefined)
    byOrder.set(order, (key = columnsFor(selected, ORDERINGS[order].cursorColumns)?.join(',') ?? '*'));
  return key;
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

/**
 * `Query.offers`: one statement for the page, one more only if totalCount is selected. The page
 * reads the columns of the Offer fields in `selected` (connectionNodeFields), or every column
 * when it is null: its rows hold only what the query's resolvers read.
 */
export async function listOffers(
  ctx: OffersContext,
  args: { first?: number | null; after?: string | null; filter?: OfferFilter | null; orderBy?: OfferOrder | null },
  selected: ReadonlySet<string> | null = null,
): Promise<Page<ListedOffer>> {
  const first = checkFirst(args.first);
  const order = args.orderBy ?? 'NEWEST';
  const after = parseAfter(order, args.after);
  const filter = args.filter === undefined || args.filter === null ? { status: 'ACTIVE' as const } : args.filter;
  const values = filterValues(filter);
  if (values === false)
    return toPage(
      [],
      first,
      (row) => cursorFor(order, row),
      () => 0,
    );
  const keys = FILTER_KEYS.filter((key) => key in values);
  const columns = columnsKey(selected, order);
  const rows = await listQuery(ctx.db, `${order}:${keys.join(',')}:${after ? 'after' : ''}:${columns}`, {
    ...values,
    ...(after ? { after0: after[0], after1: after[1] } : {}),
    limit: first + 1,
  });
  return toPage(
    rows,
    first,
    (row) => cursorFor(order, row),
    async () => {
      const [{ total }] = (await ctx.db
        .select({ total: sql<number>`count(*)::int` })
        .from(offers)
        .where(filterCondition(keys))
        .execute(values)) as [{ total: number }];
      return total;
    },
  );
}
