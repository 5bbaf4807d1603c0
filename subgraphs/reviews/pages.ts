import { count, inArray, sql } from 'drizzle-orm';
import { badInput, checkFirst, decodeCursor, defineLoader, encodeCursor, groupByKey, isId, toPage, type Page } from '../kit';
import type { ReviewsContext } from './context';
import { reviews, type ReviewRow } from './db/schema';

/**
 * Review lists under a parent (a model's reviews, a user's reviews), newest first, with keyset
 * cursors on (created_at, id). Lists are loaded for many parents at once: the gateway asks for
 * `reviews` on every model of a page in one `_entities` call, and that must stay one statement.
 */
const SORT = 'reviews:created_desc';

/** Microsecond precision: a millisecond Date would skip or repeat rows created within the same ms. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

type ParentColumn = 'modelId' | 'authorId';
type After = readonly [createdAt: string, id: string];

interface PageKey {
  parentId: string;
  first: number;
  after: After | null;
}

export interface PagedReview extends ReviewRow {
  /** created_at as exact UTC text, the cursor's sort value. */
  cursorAt: string;
}

const groupKey = (key: Pick<PageKey, 'first' | 'after'>) => `${key.first}|${key.after?.join('|') ?? ''}`;
const cacheKey = (key: PageKey) => `${key.parentId}|${groupKey(key)}`;

function definePageLoader(parent: ParentColumn) {
  const column = sql.identifier(reviews[parent].name);
  return defineLoader(
    async (keys: readonly PageKey[], ctx: ReviewsContext) => {
      // One statement per distinct (first, after): in practice one per request.
      const groups = new Map<string, PageKey[]>();
      for (const key of keys) {
        const group = groups.get(groupKey(key));
        if (group) group.push(key);
        else groups.set(groupKey(key), [key]);
      }
      const pages = new Map<string, PagedReview[]>();
      await Promise.all(
        [...groups].map(async ([group, members]) => {
          const { first, after } = members[0]!;
          const parentIds = [...new Set(members.map((m) => m.parentId))];
          // LATERAL: each parent reads only its first rows from the (parent, created_at, id) index.
          // The cursor time goes in as text: a JS Date in between would drop its microseconds.
          const rows = await ctx.db.execute<RawReview>(sql`
            select r.id, r.model_id, r.author_id, r.rating, r.text,
                   to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
            from unnest(array[${sql.join(parentIds.map((id) => sql`${id}`), sql`, `)}]::uuid[]) as parent(id)
            cross join lateral (
              select * from ${reviews} r
              where r.${column} = parent.id
              ${after ? sql`and (r.created_at, r.id) < (${after[0]}::text::timestamptz, ${after[1]}::uuid)` : sql``}
              order by r.created_at desc, r.id desc
              limit ${first + 1}
            ) r`);
          const lists = groupByKey(parentIds, rows.map(fromRaw), (row) => row[parent]);
          parentIds.forEach((id, i) => pages.set(cacheKey({ parentId: id, first, after }), lists[i]!));
        }),
      );
      return keys.map((key) => pages.get(cacheKey(key))!);
    },
    { cacheKeyFn: cacheKey },
  );
}

function defineCountLoader(parent: ParentColumn) {
  const column = reviews[parent];
  return defineLoader(async (parentIds: readonly string[], ctx: ReviewsContext) => {
    const rows = await ctx.db
      .select({ parentId: column, count: count() })
      .from(reviews)
      .where(inArray(column, [...parentIds]))
      .groupBy(column);
    const counts = new Map(rows.map((row) => [row.parentId, row.count]));
    return parentIds.map((id) => counts.get(id) ?? 0);
  });
}

const loaders = {
  modelId: { page: definePageLoader('modelId'), count: defineCountLoader('modelId') },
  authorId: { page: definePageLoader('authorId'), count: defineCountLoader('authorId') },
};

/**
 * Resolves `reviews(first, after)` under a parent. Arguments are checked here, per field, so a
 * bad cursor fails this field only and never reaches SQL; totalCount is counted only when selected.
 */
export async function reviewPage(
  ctx: ReviewsContext,
  parent: ParentColumn,
  parentId: string,
  args: { first?: number | null; after?: string | null },
): Promise<Page<PagedReview>> {
  const first = checkFirst(args.first);
  const after = parseAfter(args.after);
  const { page, count } = loaders[parent];
  // A malformed parent ID names nothing: an empty list rather than a database error.
  if (!isId(parentId)) return toPage([], first, cursorOf, () => 0);
  const id = parentId.toLowerCase();
  const rows = await page(ctx).load({ parentId: id, first, after });
  return toPage(rows, first, cursorOf, () => count(ctx).load(id));
}

const cursorOf = (row: PagedReview) => encodeCursor(SORT, [row.cursorAt, row.id]);

function parseAfter(after: string | null | undefined): After | null {
  const values = decodeCursor(after, SORT, 2);
  if (values === null) return null;
  const [createdAt, id] = values;
  if (typeof createdAt !== 'string' || !TIMESTAMP.test(createdAt) || typeof id !== 'string' || !isId(id)) {
    throw badInput('after is not a valid cursor for this list and ordering', 'after');
  }
  return [createdAt, id];
}

interface RawReview extends Record<string, unknown> {
  id: string;
  model_id: string;
  author_id: string;
  rating: number;
  text: string;
  cursor_at: string;
}

function fromRaw(raw: RawReview): PagedReview {
  return {
    id: raw.id,
    modelId: raw.model_id,
    authorId: raw.author_id,
    rating: raw.rating,
    text: raw.text,
    createdAt: new Date(raw.cursor_at),
    cursorAt: raw.cursor_at,
  };
}
