import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/** A drizzle query built with `sql.placeholder(...)` for its values: run unnamed or prepared under a name. */
interface PlaceholderQuery<Result> {
  execute(values: Record<string, unknown>): Promise<Result>;
  prepare(name: string): { execute(values: Record<string, unknown>): Promise<Result> };
}

/**
 * Distinct shapes (statement texts) one query keeps prepared. Each is a statement on every
 * pooled connection that ran it, held by PostgreSQL for the connection's life; past this many,
 * further shapes are built per request and sent unnamed.
 */
export const MAX_PREPARED_SHAPES = 64;

/**
 * A hot query as a prepared statement: built once per database handle and shape (the parts of
 * its text that vary, e.g. which filters are set), its values bound per request. Building the SQL
 * text is then done once, not per request, and postgres.js parses and plans the statement once
 * per connection and afterwards sends only Bind/Execute, in one round trip (an unnamed statement
 * with parameters costs two: Parse/Describe, then Bind/Execute). With preparation off
 * (`DB_PREPARE=off`, kit/db.ts) the built query is still reused and sent unnamed.
 */
export function definePreparedQuery<Db extends object, Shape extends string, Result>(
  name: string,
  build: (db: Db, shape: Shape) => PlaceholderQuery<Result>,
  maxShapes = MAX_PREPARED_SHAPES,
): (db: Db, shape: Shape, values: Record<string, unknown>) => Promise<Result> {
  const perDatabase = new WeakMap<Db, Map<Shape, { execute: PlaceholderQuery<Result>['execute'] }>>();
  return (db, shape, values) => {
    let shapes = perDatabase.get(db);
    if (!shapes) perDatabase.set(db, (shapes = new Map()));
    let query = shapes.get(shape);
    if (!query) {
      const built = build(db, shape);
      if (shapes.size >= maxShapes) return built.execute(values);
      query = built.prepare(shape ? `${name}:${shape}` : name);
      shapes.set(shape, query);
    }
    return query.execute(values);
  };
}

/**
 * `column = any($ids::uuid[])`: one statement text for any number of ids, so a batched lookup can
 * stay prepared (`in ($1, $2, …)` is a new text, and a new statement, for every batch size).
 */
export const uuidIn = (column: AnyPgColumn, placeholder: string): SQL =>
  sql`${column} = any(${sql.placeholder(placeholder)}::uuid[])`;
