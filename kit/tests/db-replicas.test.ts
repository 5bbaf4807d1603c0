import { afterAll, beforeAll, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { pgTable, text } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { register } from 'prom-client';
import { connectDatabase } from '../db';
import { createTempDatabase } from '../../tests/support/temp-database';
import { startOwnPostgres, type OwnPostgres } from '../../tests/support/own-postgres';
import { eventually } from '../../tests/support/graphql';

/**
 * Reads with a replica that goes away: the "replica" is a PostgreSQL server of the test's own
 * whose rows say `replica`, the primary a database on the shared server whose rows say `primary`,
 * so every answer tells where it was read.
 */
const origin = pgTable('origin', { name: text('name').notNull() });
const onlyOnPrimary = pgTable('only_on_primary', { name: text('name').notNull() });

let primary: Awaited<ReturnType<typeof createTempDatabase>>;
let replica: OwnPostgres;
let database: ReturnType<typeof connectDatabase<{ origin: typeof origin }>>;
const changes: { replica: number; up: boolean }[] = [];

async function seed(url: string, name: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql`create table origin (name text not null)`;
  await sql`insert into origin values (${name})`;
  if (name === 'primary') await sql`create table only_on_primary (name text not null)`;
  await sql.end();
}

const readOrigin = async () => (await database.db.select().from(origin))[0]?.name;
const replicaUp = async () =>
  (await register.getSingleMetric('autograph_db_replica_up')!.get()).values.find(
    (v) => v.labels.service === 'replica-test',
  )?.value;

beforeAll(async () => {
  primary = await createTempDatabase('replicas');
  replica = await startOwnPostgres();
  await seed(primary.url, 'primary');
  await seed(replica.url(), 'replica');
  database = connectDatabase(
    {
      url: primary.url,
      service: 'replica-test',
      max: 2,
      replicaUrls: [replica.url()],
      onReplicaChange: ({ replica, up }) => changes.push({ replica, up }),
    },
    { origin },
  );
});

afterAll(async () => {
  await database?.close();
  await replica?.destroy();
  await primary?.drop();
});

test('reads go to the replica; writes and transactions to the primary', async () => {
  expect(await readOrigin()).toBe('replica');
  await database.db.insert(origin).values({ name: 'written' });
  const names = await database.db.transaction((tx) => tx.select().from(origin));
  expect(names.map((row) => row.name).sort()).toEqual(['primary', 'written']);
  await database.db.delete(origin).where(eq(origin.name, 'written'));
});

test("a statement's own error is not retried on the primary", async () => {
  // The table exists only on the primary: the replica's "relation does not exist" is the answer.
  const error = await database.db
    .select()
    .from(onlyOnPrimary)
    .then(() => null)
    .catch((e: { cause?: { code?: string } }) => e);
  expect(error?.cause?.code).toBe('42P01');
  expect(await replicaUp()).toBe(1);
});

test('a stopped replica: the failing read and all later ones answer from the primary; it is taken back', async () => {
  await replica.stop();
  expect(await readOrigin()).toBe('primary'); // the read that found the replica gone, retried once
  expect(await replicaUp()).toBe(0);
  expect(changes).toEqual([{ replica: 0, up: false }]);
  const started = performance.now();
  for (let i = 0; i < 20; i++) expect(await readOrigin()).toBe('primary');
  expect(performance.now() - started).toBeLessThan(2_000); // no connection attempts to the replica meanwhile
  // Relational queries and counts take the same path.
  expect(await database.db.$count(origin)).toBe(1);

  await replica.start();
  const back = performance.now();
  await eventually(async () => (await readOrigin()) === 'replica', 10_000);
  expect(performance.now() - back).toBeLessThan(5_000); // probed every 2 s
  expect(await replicaUp()).toBe(1);
  expect(changes).toEqual([
    { replica: 0, up: false },
    { replica: 0, up: true },
  ]);
});
