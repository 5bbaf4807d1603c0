import { afterAll, beforeAll, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { connectDatabase } from '../db';
import { isDatabaseUnavailable } from '../db-errors';
import { startOwnPostgres, type OwnPostgres } from '../../tests/support/own-postgres';
import { eventually } from '../../tests/support/graphql';

/**
 * A primary that goes away under a steady stream of statements: each fails fast with a
 * connection error (no queue behind postgres.js's reconnect attempts), and statements work again
 * soon after the server is back.
 */
let server: OwnPostgres;
let database: ReturnType<typeof connectDatabase<Record<string, never>>>;
const changes: boolean[] = [];

beforeAll(async () => {
  server = await startOwnPostgres();
  database = connectDatabase(
    { url: server.url(), service: 'gate-test', max: 3, onPrimaryChange: ({ up }) => changes.push(up) },
    {},
  );
  await database.db.execute(sql`select 1`);
});

afterAll(async () => {
  await database?.close();
  await server?.destroy();
});

test('while the primary is down statements fail at once as unavailable; they work again once it is back', async () => {
  await server.stop();
  const slowest = { ms: 0 };
  const failures: unknown[] = [];
  // 60 statements in 3 s, 4 at a time: without the gate they queue behind the reconnect attempts.
  for (let round = 0; round < 15; round++) {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        const started = performance.now();
        await database.db.execute(sql`select 1`).catch((error) => failures.push(error));
        await database.db.transaction(async (tx) => tx.execute(sql`select 1`)).catch((error) => failures.push(error));
        slowest.ms = Math.max(slowest.ms, performance.now() - started);
      }),
    );
    await Bun.sleep(200);
  }
  expect(failures.length).toBe(120);
  expect(failures.every(isDatabaseUnavailable)).toBe(true);
  expect(slowest.ms).toBeLessThan(1_000);
  expect(changes).toEqual([false]);

  await server.start();
  await eventually(async () => (await database.db.execute(sql`select 1 as ok`).catch(() => null)) !== null, 10_000);
  expect(changes).toEqual([false, true]);
  await database.db.transaction(async (tx) => tx.execute(sql`select 1`));
});
