import { afterAll, beforeAll, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { databaseUrlFor, MIGRATIONS } from '../migrate';

/**
 * The entry the migrate Job and the init containers run, run as they run it (`bun infra/k8s/migrate.ts`)
 * on a fresh database of the machine's PostgreSQL.
 */
const ENTRY = join(import.meta.dir, '..', 'migrate.ts');
let database: Awaited<ReturnType<typeof createTempDatabase>>;
beforeAll(async () => {
  database = await createTempDatabase('k8s_migrate');
});
afterAll(() => database.drop());

const run = (args: string[], env: Record<string, string | undefined>) => {
  const result = Bun.spawnSync(['bun', ENTRY, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() };
};

/** Applied migrations per service, read from drizzle's bookkeeping tables. */
async function applied(): Promise<Record<string, number>> {
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    const counts: Record<string, number> = {};
    for (const service of Object.keys(MIGRATIONS)) {
      const [row] = await sql
        .unsafe(`select count(*)::int as n from drizzle."${service}_migrations"`)
        .catch(() => [{ n: 0 }]);
      counts[service] = row!.n;
    }
    return counts;
  } finally {
    await sql.end();
  }
}

const journal = (service: string) =>
  (JSON.parse(readFileSync(join(MIGRATIONS[service]!, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] })
    .entries.length;

test("one service's migrations (an init container), then every service's (the Job), then again: nothing left", async () => {
  const one = run(['catalog'], { DATABASE_URL: database.url });
  expect(one.code).toBe(0);
  expect(await applied()).toMatchObject({ catalog: journal('catalog'), registry: 0, offers: 0 });

  const all = run([], { DATABASE_URL: database.url });
  expect(all.err).toBe('');
  expect(all.code).toBe(0);
  const expected = Object.fromEntries(Object.keys(MIGRATIONS).map((service) => [service, journal(service)]));
  expect(await applied()).toEqual(expected);

  const again = run([], { DATABASE_URL: database.url });
  expect(again.code).toBe(0);
  expect(await applied()).toEqual(expected);
}, 120_000);

test('usage errors: an unknown service, no DATABASE_URL', () => {
  const unknown = run(['catalogue'], { DATABASE_URL: database.url });
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('unknown service catalogue');
  const unset = run(['registry'], {});
  expect(unset.code).toBe(2);
  expect(unset.err).toContain('registry: DATABASE_URL is not set');
});

test("a subgraph's own database (<NAME>_DATABASE_URL) wins for it, not for the registry", () => {
  const env = { DATABASE_URL: 'postgres://shared/db', OFFERS_DATABASE_URL: 'postgres://offers/db' };
  expect(databaseUrlFor('offers', env)).toBe('postgres://offers/db');
  expect(databaseUrlFor('users', env)).toBe('postgres://shared/db');
  expect(databaseUrlFor('registry', { ...env, REGISTRY_DATABASE_URL: 'postgres://other/db' })).toBe(
    'postgres://shared/db',
  );
});
