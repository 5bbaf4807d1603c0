import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { badInput, isId } from './errors';
import { defineLoader, groupByKey } from './loaders';
import { checkFirst, decodeCursor, encodeCursor, toPage, type Page } from './pagination';

/**
 * Lists under a parent — a model's reviews, a seller's offers — newest first with keyset cursors
 * on (created_at, id). The gateway asks for them on many parents at once (one `_entities` call),
 * so one LATERAL statement per distinct (first, after) serves every parent, and totalCount is one
 * `group by` statement, only when selected: SQL statements never grow with the number of parents.
 */
export interface ChildRow {
  id: string;
  /** created_at as exact UTC text with microseconds: a JS Date would make cursors skip rows. */
  cursorAt: string;
}

export interface ChildPagesOptions<Row extends ChildRow> {
  table: PgTable;
  /** SQL name of the column naming the parent, e.g. model_id. */
  parentColumn: string;
  /** Extra condition on the rows (table alias `c`), e.g. sql`c.status = 'ACTIVE'`. */
  only?: SQL;
  /** Cursor namespace: a cursor from another list or ordering is refused. */
  sort: string;
  /** From a raw row (snake_case columns plus cursor_at) to the row type. */
  fromRaw: (raw: Record<string, unknown>) => Row;
}

interface Executor {
  execute(query: SQL): PromiseLike<Iterable<Record<string, unknown>>>;
}

interface PageKey {
  parentId: string;
  first: number;
  after: readonly [string, string] | null;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const groupKey = (key: Pick<PageKey, 'first' | 'after'>) => `${key.first}|${key.after?.join('|') ?? ''}`;
const cacheKey = (key: PageKey) => `${key.parentId}|${groupKey(key)}`;
const uuidArray = (ids: string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

const CURSOR_AT_SQL = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`);

export function defineChildPages<Ctx extends { db: Executor }, Row extends ChildRow>(options: ChildPagesOptions<Row>) {
  const parent = sql.identifier(options.parentColumn);
  const only = options.only ? sql`and ${options.only}` : sql``;

  const pages = defineLoader(
    async (keys: readonly PageKey[], ctx: Ctx) => {
      const result = new Map<string, Row[]>();
      await Promise.all(
        [...Map.groupBy(keys, groupKey).values()].map(async (members) => {
          const { first, after } = members[0]!;
          const parentIds = [...new Set(members.map((m) => m.parentId))];
          const rows = await ctx.db.execute(sql`
            select c.*, ${CURSOR_AT_SQL('c.created_at')} as cursor_at, parent.id as parent_id
            from unnest(${uuidArray(parentIds)}) as parent(id)
            cross join lateral (
              select * from ${options.table} c
              where c.${parent} = parent.id ${only}
              ${after ? sql`and (c.created_at, c.id) < (${after[0]}::text::timestamptz, ${after[1]}::uuid)` : sql``}
              order by c.created_at desc nulls last, c.id desc nulls last -- as the (parent, created_at, id) indexes
              limit ${first + 1}
            ) c`);
          const raw = [...rows];
          const lists = groupByKey(parentIds, raw, (row) => row.parent_id as string);
          for (const [i, id] of parentIds.entries()) {
            result.set(cacheKey({ parentId: id, first, after }), lists[i]!.map(options.fromRaw));
          }
        }),
      );
      return keys.map((key) => result.get(cacheKey(key))!);
    },
    { cacheKeyFn: cacheKey },
  );

  const counts = defineLoader(async (ids: readonly string[], ctx: Ctx) => {
    const rows = await ctx.db.execute(sql`
      select c.${parent}::text as parent_id, count(*)::int as n from ${options.table} c
      where c.${parent} = any(${uuidArray([...ids])}) ${only}
      group by c.${parent}`);
    const totals = new Map([...rows].map((row) => [row.parent_id as string, row.n as number]));
    return ids.map((id) => totals.get(id) ?? 0);
  });

  const cursorOf = (row: Row) => encodeCursor(options.sort, [row.cursorAt, row.id]);

  /** Resolves `<list>(first, after)` under one parent; arguments are checked before any SQL. */
  return async function page(
    ctx: Ctx,
    parentId: string,
    args: { first?: number | null; after?: string | null },
  ): Promise<Page<Row>> {
    const first = checkFirst(args.first);
    const values = decodeCursor(args.after, options.sort, 2);
    if (
      values &&
      !(typeof values[0] === 'string' && TIMESTAMP.test(values[0]) && typeof values[1] === 'string' && isId(values[1]))
    ) {
      throw badInput('after is not a valid cursor for this list and ordering', 'after');
    }
    const after = values ? ([values[0], values[1]] as [string, string]) : null;
    // A malformed parent ID names nothing: an empty list rather than a database error.
    if (!isId(parentId)) return toPage([], first, cursorOf, () => 0);
    const id = parentId.toLowerCase();
    const rows = await pages(ctx).load({ parentId: id, first, after });
    return toPage(rows, first, cursorOf, () => counts(ctx).load(id));
  };
}
