import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { createTempDatabase } from '../../tests/support/temp-database';
import { DEMO_EMAIL, DEMO_PASSWORD, SCALES, seedDatabase } from '..';

type TempDatabase = Awaited<ReturnType<typeof createTempDatabase>>;
const databases: TempDatabase[] = [];
const fresh = async () => {
  const database = await createTempDatabase('seed');
  databases.push(database);
  return database;
};

afterAll(async () => {
  for (const database of databases) await database.drop();
});

/** A fingerprint of the seeded rows that matter (password hashes are salted, so left out). */
async function fingerprint(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select
      (select md5(string_agg(id::text || name || country, ',' order by id)) from catalog.makes) as makes,
      (select md5(string_agg(id::text || email || name || city || roles::text, ',' order by id)) from users.users) as users,
      (select md5(string_agg(id::text || seller_id || model_id || price || status || created_at, ',' order by id)) from offers.offers) as offers,
      (select md5(string_agg(id::text || author_id || model_id || rating || text, ',' order by id)) from reviews.reviews) as reviews`;
    return row;
  } finally {
    await sql.end();
  }
}

describe('the small data set', () => {
  let sql: postgres.Sql;
  let url: string;

  beforeAll(async () => {
    url = (await fresh()).url;
    const result = await seedDatabase(url, { scale: 'small' });
    expect(result.seeded).toBe(true);
    sql = postgres(url, { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await sql?.end();
  });

  test('has the documented size', async () => {
    const [counts] = await sql`select
      (select count(*)::int from catalog.makes) as makes, (select count(*)::int from catalog.models) as models,
      (select count(*)::int from users.users) as users, (select count(*)::int from offers.offers) as offers,
      (select count(*)::int from reviews.reviews) as reviews`;
    expect(counts!.makes).toBeGreaterThanOrEqual(40);
    expect(counts!.models).toBeGreaterThanOrEqual(300);
    expect(counts!.users).toBe(SCALES.small.users);
    expect(counts!.offers).toBe(SCALES.small.offers);
    expect(counts!.reviews).toBe(SCALES.small.reviews);
  });

  test('is consistent across subgraphs', async () => {
    const [checks] = await sql`select
      (select count(*)::int from offers.offers o join catalog.models m on m.id = o.model_id where m.make_id <> o.make_id) as wrong_make,
      (select count(*)::int from offers.offers o left join users.users u on u.id = o.seller_id where u.id is null) as orphan_offers,
      (select count(*)::int from (select model_id, count(*) as c, sum(rating) as s from reviews.reviews group by model_id) r
         full join reviews.model_ratings mr using (model_id) where mr.count is distinct from r.c or mr.sum is distinct from r.s) as wrong_ratings,
      (select count(*)::int from offers.offers o left join search.offer_documents d on d.offer_id = o.id
         where (o.status = 'ACTIVE') <> (d.offer_id is not null)) as wrong_documents,
      (select count(*)::int from search.offer_documents d join catalog.models m on m.id = d.model_id join catalog.makes k on k.id = m.make_id
         where d.model_name <> m.name or d.make_name <> k.name or d.body_type <> m.body_type::text) as wrong_names,
      (select count(*)::int from offers.offers where status = 'ACTIVE') as active`;
    expect(checks).toMatchObject({
      wrong_make: 0,
      orphan_offers: 0,
      wrong_ratings: 0,
      wrong_documents: 0,
      wrong_names: 0,
    });
    expect(checks!.active / SCALES.small.offers).toBeGreaterThan(0.75);
  });

  test('the demo account signs in with the documented password', async () => {
    const [demo] = await sql`select password_hash from users.users where email = ${DEMO_EMAIL}`;
    expect(await Bun.password.verify(DEMO_PASSWORD, demo!.password_hash)).toBe(true);
  });

  test('seeds once; a reset seeds the same data again', async () => {
    const before = await fingerprint(url);
    expect((await seedDatabase(url, { scale: 'small' })).seeded).toBe(false);
    await sql`insert into users.users (email, password_hash, name, city) values ('extra@example.com', 'x', 'Extra', 'Kazan')`;
    expect((await seedDatabase(url, { scale: 'small', reset: true })).seeded).toBe(true);
    expect(await fingerprint(url)).toEqual(before);
  });
});

test('two databases seeded apart hold identical data', async () => {
  const [a, b] = [await fresh(), await fresh()];
  await seedDatabase(a.url, { scale: 'small', fraction: 0.05 });
  await seedDatabase(b.url, { scale: 'small', fraction: 0.05 });
  const left = await fingerprint(a.url);
  expect(left!.offers).toBeString();
  expect(await fingerprint(b.url)).toEqual(left);
});
