import { count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { checkFirst, defineLoader, groupByKey, isId, toPage, type Page } from '../kit';
import type { OffersContext } from './context';
import { offers } from './db/schema';
import { cursorFor, parseAfter } from './listing';
import type { ListedOffer } from './rows';

/**
 * Offer lists under a parent (a model's active offers, a seller's offers), newest first. The
 * gateway asks for them on many parents at once; one LATERAL statement per distinct
 * (first, after) serves them all, so statements do not grow with the number of parents.
 */
type Parent = 'modelId' | 'sellerId';
interface PageKey { parentId: string; first: number; after: (string | number)[] | null }

const PARENTS: Record<Parent, { column: SQL; only?: SQL }> = {
  modelId: { column: sql.raw('model_id'), only: sql`and o.status = 'ACTIVE'` },
  sellerId: { column: sql.raw('seller_id') },
};

const groupKey = (key: Pick<PageKey, 'first' | 'after'>) => `${key.first}|${key.after?.join('|') ?? ''}`;
const cacheKey = (key: PageKey) => `${key.parentId}|${groupKey(key)}`;

function definePageLoader(parent: Parent) {
  const { column, only } = PARENTS[parent];
  return defineLoader(
    async (keys: readonly PageKey[], ctx: OffersContext) => {
      const groups = Map.groupBy(keys, groupKey);
      const pages = new Map<string, ListedOffer[]>();
      await Promise.all(
        [...groups.values()].map(async (members) => {
          const { first, after } = members[0]!;
          const parentIds = [...new Set(members.map((m) => m.parentId))];
          const result = await ctx.db.execute<RawOffer>(sql`
            select o.*, to_char(o.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
            from unnest(${`{${parentIds.join(',')}}`}::uuid[]) as parent(id)
            cross join lateral (
              select * from ${offers} o
              where o.${column} = parent.id ${only ?? sql``}
              ${after ? sql`and (o.created_at, o.id) < (${after[0]}::text::timestamptz, ${after[1]}::uuid)` : sql``}
              order by o.created_at desc, o.id desc
              limit ${first + 1}
            ) o`);
          const rows = [...result].map(fromRaw);
          const lists = groupByKey(parentIds, rows, (row) => row[parent]);
          parentIds.forEach((id, i) => pages.set(cacheKey({ parentId: id, first, after }), lists[i]!));
        }),
      );
      return keys.map((key) => pages.get(cacheKey(key))!);
    },
    { cacheKeyFn: cacheKey },
  );
}

function defineCountLoader(parent: Parent) {
  const column = offers[parent];
  return defineLoader(async (ids: readonly string[], ctx: OffersContext) => {
    const rows = await ctx.db
      .select({ parentId: column, total: count() })
      .from(offers)
      .where(parent === 'modelId' ? sql`${inArray(column, [...ids])} and ${eq(offers.status, 'ACTIVE')}` : inArray(column, [...ids]))
      .groupBy(column);
    const totals = new Map(rows.map((row) => [row.parentId, row.total]));
    return ids.map((id) => totals.get(id) ?? 0);
  });
}

const loaders = {
  modelId: { page: definePageLoader('modelId'), count: defineCountLoader('modelId') },
  sellerId: { page: definePageLoader('sellerId'), count: defineCountLoader('sellerId') },
};

export async function offerPage(
  ctx: OffersContext,
  parent: Parent,
  parentId: string,
  args: { first?: number | null; after?: string | null },
): Promise<Page<ListedOffer>> {
  const first = checkFirst(args.first);
  const after = parseAfter('NEWEST', args.after);
  const cursor = (row: ListedOffer) => cursorFor('NEWEST', row);
  if (!isId(parentId)) return toPage([], first, cursor, () => 0);
  const id = parentId.toLowerCase();
  const rows = await loaders[parent].page(ctx).load({ parentId: id, first, after });
  return toPage(rows, first, cursor, () => loaders[parent].count(ctx).load(id));
}

interface RawOffer extends Record<string, unknown> {
  id: string; seller_id: string; model_id: string; make_id: string; title: string; price: number; currency: string;
  year: number; mileage_km: number; city: string; status: string; photos: unknown; created_at: string; updated_at: string; cursor_at: string;
}

function fromRaw(raw: RawOffer): ListedOffer {
  return {
    id: raw.id,
    sellerId: raw.seller_id,
    modelId: raw.model_id,
    makeId: raw.make_id,
    title: raw.title,
    price: raw.price,
    currency: raw.currency as ListedOffer['currency'],
    year: raw.year,
    mileageKm: raw.mileage_km,
    city: raw.city,
    status: raw.status as ListedOffer['status'],
    photos: (typeof raw.photos === 'string' ? JSON.parse(raw.photos) : raw.photos) as ListedOffer['photos'],
    createdAt: new Date(raw.cursor_at),
    updatedAt: new Date(raw.updated_at),
    cursorAt: raw.cursor_at,
  };
}
