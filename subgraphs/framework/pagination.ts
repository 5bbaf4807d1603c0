import type { ObjectRef } from '@pothos/core';
import { badInput } from './errors';
import type { BaseContext } from './context';
import type { SubgraphBuilder, SubgraphSchemaTypes } from './builder';

/** The contract caps `first` at 100; a larger page is a client bug worth a clear error. */
const MAX_PAGE_SIZE = 100;

export function checkFirst(first: number | null | undefined, fallback = 20): number {
  const value = first ?? fallback;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`, 'first');
  }
  return value;
}

/**
 * Opaque keyset cursors: the sort key values of the last row, so pages stay stable when rows
 * are inserted before them (unlike offsets). The sort name is embedded so a cursor from one
 * ordering is rejected by another.
 */
export function encodeCursor(sort: string, values: (string | number)[]): string {
  return Buffer.from(JSON.stringify([sort, ...values])).toString('base64url');
}

export function decodeCursor(
  cursor: string | null | undefined,
  sort: string,
  arity: number,
): (string | number)[] | null {
  if (cursor == null) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed[0] === sort && parsed.length === arity + 1) return parsed.slice(1);
  } catch {
    // fall through to the error below
  }
  throw badInput('after is not a valid cursor for this list and ordering', 'after');
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Counted lazily: only when a client selects it. */
  totalCount: () => Promise<number> | number;
}

/**
 * Builds a page from `first + 1` fetched rows (the extra row only tells whether there is a next
 * page). Cursors are encoded when read: a page whose cursors are not selected encodes none.
 */
export function toPage<T>(
  rows: T[],
  first: number,
  cursorOf: (row: T) => string,
  totalCount: Page<T>['totalCount'],
): Page<T> {
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  return {
    edges: nodes.map((node) => ({
      node,
      get cursor() {
        return cursorOf(node);
      },
    })),
    pageInfo: {
      hasNextPage: rows.length > first,
      get endCursor() {
        return last === undefined ? null : cursorOf(last);
      },
    },
    totalCount,
  };
}

/** PageInfo is @shareable across subgraphs, defined once here. */
export function definePageInfo<Ctx extends BaseContext>(builder: SubgraphBuilder<Ctx>) {
  return builder.objectRef<Page<unknown>['pageInfo']>('PageInfo').implement({
    shareable: true,
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage'),
      endCursor: t.exposeString('endCursor', { nullable: true }),
    }),
  });
}

/** `<Name>Edge` and `<Name>Connection` exactly as the contract spells them. */
export function defineConnection<Ctx extends BaseContext, T>(
  builder: SubgraphBuilder<Ctx>,
  name: string,
  node: ObjectRef<PothosSchemaTypes.ExtendDefaultTypes<SubgraphSchemaTypes<Ctx>>, T>,
  pageInfo: ReturnType<typeof definePageInfo<Ctx>>,
) {
  const edge = builder.objectRef<Page<T>['edges'][number]>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      // Pothos cannot relate the generic T to the ref's shape; the ref is built from T, so this holds.
      node: t.field({ type: node, resolve: (e) => e.node as never }),
    }),
  });
  return builder.objectRef<Page<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [edge], resolve: (page) => page.edges }),
      pageInfo: t.field({ type: pageInfo, resolve: (page) => page.pageInfo }),
      totalCount: t.int({ resolve: (page) => page.totalCount() }),
    }),
  });
}
