import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { connectDatabase, type DatabaseOptions } from '../../../kit/db';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { definePreparedQuery, uuidIn } from '../prepared';

/**
 * Whether a hot query is really prepared is seen from PostgreSQL: pg_prepared_statements lists the
 * named statements of the session that asks, so every database here has one connection per client
 * and the count is read on it (through the read router when there is a replica).
 */
const items = pgTable('items', { id: uuid('id').primaryKey(), name: text('name').notNull() });
const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];

let database: Awaited<ReturnType<typeof createTempDatabase>>;

beforeAll(async () => {
  database = await createTempDatabase('prepared');
  const admin = postgres(database.url, { max: 1, onnotice: () => {} });
  await admin`create table items (id uuid primary key, name text not null)`;
  for (const [i, id] of ids.entries()) await admin`insert into items values (${id}, ${`item ${i}`})`;
  await admin.end();
});

afterAll(() => database?.drop());

async function withDatabase(options: Partial<DatabaseOptions>, run: (db: Connected['db']) => Promise<void>) {
  const connected = connectDatabase({ url: database.url, service: 'prepared-test', max: 1, ...options }, { items });
  try {
    await run(connected.db);
  } finally {
    await connected.close();
  }
}
type Connected = ReturnType<typeof connectDatabase<{ items: typeof items }>>;

const preparedItems = async (db: Connected['db']) =>
  (
    await db
      .select({ count: sql<number>`count(*)::int` })
      .from(sql`pg_prepared_statements`)
      .where(sql`statement like '%from "items"%'`)
  )[0]!.count;

function lookup() {
  return definePreparedQuery('items.byIds', (db: Connected['db']) =>
    db.select().from(items).where(uuidIn(items.id, 'ids')),
  );
}

async function readEveryBatchSize(db: Connected['db'], byIds: ReturnType<typeof lookup>) {
  for (let size = 1; size <= ids.length; size++) {
    const rows = await byIds(db, '', { ids: ids.slice(0, size) });
    expect(rows.map((row) => row.id).sort()).toEqual(ids.slice(0, size).sort());
  }
}

describe('definePreparedQuery', () => {
  test('prepares one statement per connection, whatever the batch size', () =>
    withDatabase({}, async (db) => {
      await readEveryBatchSize(db, lookup());
      expect(await preparedItems(db)).toBe(1);
    }));

  test('the read router keeps statements prepared on the replica', () =>
    withDatabase({ replicaUrls: [database.url] }, async (db) => {
      await readEveryBatchSize(db, lookup());
      expect(await preparedItems(db)).toBe(1);
    }));

  test('with preparation off, statements are sent unnamed and answer the same', () =>
    withDatabase({ prepare: false }, async (db) => {
      await readEveryBatchSize(db, lookup());
      expect(await preparedItems(db)).toBe(0);
    }));

  test('past the cap, further shapes are sent unnamed', () =>
    withDatabase({}, async (db) => {
      const byShape = definePreparedQuery(
        'items.byName',
        (db: Connected['db'], shape: string) => db.select().from(items).where(sql`${items.name} = ${shape}`),
        1,
      );
      expect((await byShape(db, 'item 0', {}))[0]?.id).toBe(ids[0]);
      expect((await byShape(db, 'item 1', {}))[0]?.id).toBe(ids[1]);
      expect(await preparedItems(db)).toBe(1);
    }));
});
