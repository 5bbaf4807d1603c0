import postgres, { type Sql } from 'postgres';
import { fileURLToPath } from 'node:url';
import { migrateDatabase } from '../kit/db';
import { generateSeedData, type Scale, type SeedData } from './generate';

export { SCALES, DEMO_EMAIL, type Scale } from './generate';
export const DEMO_PASSWORD = 'autograph-demo';

/** Every schema the seed writes, in migration order. */
const SERVICES = ['catalog', 'offers', 'users', 'reviews', 'search'] as const;
const SEEDED_TABLES = [
  'catalog.generations',
  'catalog.models',
  'catalog.makes',
  'offers.offers',
  'users.refresh_tokens',
  'users.dealer_applications',
  'users.login_attempts',
  'users.users',
  'reviews.reviews',
  'reviews.model_ratings',
  'search.offer_documents',
];

export interface SeedOptions {
  scale?: Scale;
  /** Truncate the seeded tables first (signing keys are kept). */
  reset?: boolean;
  log?: (message: string) => void;
  /** Fraction of users/offers/reviews (tests seed a slice). */
  fraction?: number;
}

/**
 * Applies every subgraph's migrations, then seeds once: a database whose catalog has makes is
 * left alone unless `reset`. All of it in one transaction, so a crash leaves nothing half-done.
 */
export async function seedDatabase(databaseUrl: string, options: SeedOptions = {}) {
  const started = Date.now();
  const log = options.log ?? (() => {});
  for (const service of SERVICES) {
    await migrateDatabase(
      databaseUrl,
      service,
      fileURLToPath(new URL(`../subgraphs/${service}/drizzle`, import.meta.url)),
    );
  }
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ present }] = (await sql`select exists (select 1 from catalog.makes) as present`) as unknown as [
      { present: boolean },
    ];
    if (present && !options.reset) return { seeded: false, counts: {}, ms: Date.now() - started };
    const scale = options.scale ?? 'small';
    log(`generating ${scale} data set`);
    const data = generateSeedData(scale, options.fraction ?? 1);
    const passwordHash = await Bun.password.hash(DEMO_PASSWORD, { algorithm: 'argon2id' });
    const counts = await sql.begin(async (tx) => {
      if (present) await tx.unsafe(`truncate ${SEEDED_TABLES.join(', ')}`);
      return writeAll(tx as unknown as Sql, data, passwordHash, log);
    });
    // Fresh statistics: until autovacuum gets to them, the planner would guess from empty tables.
    await sql.unsafe(`analyze ${SEEDED_TABLES.join(', ')}`);
    return { seeded: true, counts, ms: Date.now() - started };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function writeAll(sql: Sql, data: SeedData, passwordHash: string, log: (message: string) => void) {
  const counts: Record<string, number> = {};
  const write = async (table: string, rows: Record<string, unknown>[]) => {
    counts[table] = await insertBatches(sql, table, rows);
    log(`  ${table}: ${rows.length}`);
  };
  await write(
    'catalog.makes',
    data.makes.map((m) => ({ id: m.id, name: m.name, country: m.country, created_at: m.createdAt })),
  );
  await write(
    'catalog.models',
    data.models.map((m) => ({
      id: m.id,
      make_id: m.makeId,
      name: m.name,
      body_type: m.bodyType,
      created_at: m.createdAt,
    })),
  );
  await write(
    'catalog.generations',
    data.generations.map((g) => ({
      id: g.id,
      model_id: g.modelId,
      name: g.name,
      year_from: g.yearFrom,
      year_to: g.yearTo,
    })),
  );
  await write(
    'users.users',
    data.users.map((u) => ({
      id: u.id,
      email: u.email,
      password_hash: passwordHash,
      name: u.name,
      kind: u.kind,
      city: u.city,
      // An array literal: postgres.js would send a JS array as text[], which the enum array rejects.
      roles: `{${u.roles.join(',')}}`,
      created_at: u.createdAt,
    })),
  );
  await write(
    'offers.offers',
    data.offers.map((o) => ({
      id: o.id,
      seller_id: o.sellerId,
      model_id: o.modelId,
      make_id: o.makeId,
      title: o.title,
      price: o.price,
      currency: o.currency,
      year: o.year,
      mileage_km: o.mileageKm,
      city: o.city,
      status: o.status,
      photos: JSON.stringify(o.photos),
      created_at: o.createdAt,
      updated_at: o.updatedAt,
    })),
  );
  await write(
    'reviews.reviews',
    data.reviews.map((r) => ({
      id: r.id,
      model_id: r.modelId,
      author_id: r.authorId,
      rating: r.rating,
      text: r.text,
      created_at: r.createdAt,
    })),
  );
  await sql`insert into reviews.model_ratings (model_id, count, sum) select model_id, count(*), sum(rating) from reviews.reviews group by model_id`;
  counts['reviews.model_ratings'] = (await sql`select count(*)::int as n from reviews.model_ratings`)[0]!.n;

  const makes = new Map(data.makes.map((m) => [m.id, m]));
  const models = new Map(data.models.map((m) => [m.id, m]));
  await write(
    'search.offer_documents',
    data.offers
      .filter((o) => o.status === 'ACTIVE')
      .map((o) => ({
        offer_id: o.id,
        title: o.title,
        make_id: o.makeId,
        make_name: makes.get(o.makeId)!.name,
        model_id: o.modelId,
        model_name: models.get(o.modelId)!.name,
        body_type: models.get(o.modelId)!.bodyType,
        city: o.city,
        price: o.price,
        year: o.year,
        mileage_km: o.mileageKm,
        created_at: o.createdAt,
        source_updated_at: o.updatedAt,
      })),
  );
  return counts;
}

/** Multi-row inserts sized under PostgreSQL's 65,535 bind-parameter limit. Works through PGlite too (no COPY). */
async function insertBatches(sql: Sql, table: string, rows: Record<string, unknown>[]): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = Object.keys(rows[0]!);
  const batch = Math.floor(60_000 / columns.length);
  for (let i = 0; i < rows.length; i += batch) {
    await sql`insert into ${sql(table)} ${sql(rows.slice(i, i + batch) as Record<string, postgres.ParameterOrJSON<never>>[], columns)}`;
  }
  return rows.length;
}
