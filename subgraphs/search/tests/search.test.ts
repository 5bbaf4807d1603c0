import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import search from '..';
import offersModule from '../../offers';
import { connectDatabase } from '../../../kit/db';
import { createLogger } from '../../../kit/log';
import type { RunningService } from '../../../kit/service';
import { createCatalogClient } from '../../catalog/client';
import { createOfferEventSender, INTERNAL_TOKEN_HEADER, type OfferEvent } from '../../offers/events';
import { startSubgraph } from '../../framework';
import { insertMake, insertModel, startCatalog, testSubgraphConfig } from '../../catalog/tests/fixtures';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { errorCodes, eventually, gql } from '../../../tests/support/graphql';
import { dropSearchQueue } from '../../../tests/support/queues';
import { withEnv } from '../../../tests/support/env';
import { tables } from '../db/schema';
import { reindexFromOffers } from '../indexer';

const TOKEN = 'search-test-internal-token';
let database: Awaited<ReturnType<typeof createTempDatabase>>;
let catalog: RunningService;
let service: RunningService;
let sql: postgres.Sql;
const ids: Record<string, string> = {};
const logger = createLogger('search-test', 'silent');

let counter = 0;
function event(overrides: Partial<OfferEvent['offer']> = {}): OfferEvent {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, counter++)).toISOString();
  return {
    type: 'offer.changed',
    offer: {
      id: crypto.randomUUID(),
      sellerId: crypto.randomUUID(),
      modelId: ids.camry!,
      makeId: ids.toyota!,
      title: 'Toyota Camry 2.5 AT',
      price: 250_000_000,
      currency: 'RUB',
      year: 2019,
      mileageKm: 60_000,
      city: 'Kazan',
      status: 'ACTIVE',
      createdAt: at,
      updatedAt: at,
      ...overrides,
    },
  };
}

const post = (body: unknown, token = TOKEN) =>
  fetch(`${service.url}/events/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: token },
    body: JSON.stringify(body),
  });

const SEARCH = `query($text: String, $filter: SearchFilter, $first: Int, $offset: Int) {
  searchOffers(text: $text, filter: $filter, first: $first, offset: $offset) {
    totalCount offers { id } facets { makes { value label count } bodyTypes { value count } years { value count } cities { value count } }
  }
}`;
const count = async (text: string) => (await gql(service.url, SEARCH, { text })).data.searchOffers.totalCount as number;

beforeAll(async () => {
  database = await createTempDatabase('search');
  catalog = await startCatalog(database.url);
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  ids.toyota = await insertMake(sql, 'Toyota');
  ids.lada = await insertMake(sql, 'Lada', 'Russia');
  ids.camry = await insertModel(sql, ids.toyota, 'Camry', 'SEDAN');
  ids.rav4 = await insertModel(sql, ids.toyota, 'RAV4', 'SUV');
  ids.vesta = await insertModel(sql, ids.lada, 'Vesta', 'SEDAN');
  service = await withEnv({ CATALOG_URL: `${catalog.url}/graphql`, INTERNAL_EVENTS_TOKEN: TOKEN }, () =>
    startSubgraph(search, testSubgraphConfig(database.url)),
  );
});

afterAll(async () => {
  await service?.stop();
  await catalog?.stop();
  await sql?.end();
  await database?.drop();
});

describe('events over HTTP (no Redis)', () => {
  test('an ACTIVE offer becomes searchable with catalog names; SOLD removes it', async () => {
    const created = event({ title: 'Unique Zebra edition' });
    expect((await post(created)).status).toBe(202);
    await eventually(async () => (await count('zebra')) === 1);
    const [doc] =
      await sql`select make_name, model_name, body_type from search.offer_documents where offer_id = ${created.offer.id}`;
    expect(doc).toEqual({ make_name: 'Toyota', model_name: 'Camry', body_type: 'SEDAN' });
    // Found by make and model names too, not only the title.
    expect((await gql(service.url, SEARCH, { text: 'zebra camry toyota' })).data.searchOffers.offers).toEqual([
      { id: created.offer.id },
    ]);

    const later = new Date(Date.parse(created.offer.updatedAt) + 1000).toISOString();
    expect((await post({ ...created, offer: { ...created.offer, status: 'SOLD', updatedAt: later } })).status).toBe(
      202,
    );
    await eventually(async () => (await count('zebra')) === 0);
  });

  test('an older snapshot never overwrites a newer one', async () => {
    const newer = event({ title: 'Okapi newer', price: 200 });
    const older = {
      ...newer,
      offer: {
        ...newer.offer,
        title: 'Okapi older',
        price: 100,
        updatedAt: new Date(Date.parse(newer.offer.updatedAt) - 5000).toISOString(),
      },
    };
    await post(newer);
    await post(older);
    await eventually(async () => (await count('okapi')) === 1);
    await Bun.sleep(200);
    const [doc] = await sql`select title, price from search.offer_documents where offer_id = ${newer.offer.id}`;
    expect(doc).toEqual({ title: 'Okapi newer', price: 200 });
  });

  test('a wrong token is 401, a malformed event 400', async () => {
    expect((await post(event(), 'wrong-token-value')).status).toBe(401);
    expect((await post({ type: 'offer.changed', offer: { id: 'x' } })).status).toBe(400);
  });
});

describe('searchOffers', () => {
  beforeAll(async () => {
    await sql`delete from search.offer_documents`;
    const fixtures = [
      event({ modelId: ids.camry, title: 'Camry one', city: 'Moscow', year: 2018, price: 200 }),
      event({ modelId: ids.camry, title: 'Camry two', city: 'Kazan', year: 2020, price: 300 }),
      event({ modelId: ids.rav4, title: 'RAV4 family', city: 'Kazan', year: 2020, price: 400 }),
      event({ modelId: ids.vesta, title: 'Vesta city car', city: 'kazan', year: 2021, price: 100 }),
    ];
    for (const fixture of fixtures) await post(fixture);
    await eventually(async () => (await gql(service.url, SEARCH, {})).data.searchOffers.totalCount === 4);
  });

  test('facets count the filtered set', async () => {
    const all = (await gql(service.url, SEARCH, {})).data.searchOffers;
    expect(all.facets.makes).toEqual([
      { value: ids.toyota, label: 'Toyota', count: 3 },
      { value: ids.lada, label: 'Lada', count: 1 },
    ]);
    expect(all.facets.bodyTypes).toEqual([
      { value: 'SEDAN', count: 3 },
      { value: 'SUV', count: 1 },
    ]);
    expect(all.facets.years[0]).toEqual({ value: '2020', count: 2 });

    const kazan = (await gql(service.url, SEARCH, { filter: { city: 'KAZAN' } })).data.searchOffers;
    expect(kazan.totalCount).toBe(3); // case-insensitive: "Kazan" and "kazan"
    const toyotaSedans = (
      await gql(service.url, SEARCH, { filter: { makeId: ids.toyota, bodyType: 'SEDAN', yearMin: 2019 } })
    ).data.searchOffers;
    expect(toyotaSedans.totalCount).toBe(1);
    const text = (await gql(service.url, SEARCH, { text: 'camry', filter: { priceMax: 250 } })).data.searchOffers;
    expect(text.totalCount).toBe(1);
  });

  test('paging by offset, and bad paging input', async () => {
    const page1 = (await gql(service.url, SEARCH, { first: 2 })).data.searchOffers.offers;
    const page2 = (await gql(service.url, SEARCH, { first: 2, offset: 2 })).data.searchOffers.offers;
    expect(new Set([...page1, ...page2].map((o: { id: string }) => o.id)).size).toBe(4);
    expect(errorCodes(await gql(service.url, SEARCH, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await gql(service.url, SEARCH, { offset: -1 }))).toEqual(['BAD_USER_INPUT']);
    expect((await gql(service.url, SEARCH, { filter: { makeId: 'garbage' } })).data.searchOffers.totalCount).toBe(0);
  });

  test('search text is bounded: 200 characters, 16 words; beyond, BAD_USER_INPUT at once', async () => {
    const refused = async (text: string) => {
      const started = performance.now();
      const response = await gql(service.url, SEARCH, { text });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.extensions!.field).toBe('text');
      expect(response.errors![0]!.message.length).toBeLessThan(100); // the text is never echoed
      expect(performance.now() - started).toBeLessThan(500);
    };
    await refused('a'.repeat(201));
    await refused('camry '.repeat(5_000)); // 30 KB
    await refused('w '.repeat(40_000)); // 40,000 words: PostgreSQL's stack depth, before
    await refused(Array.from({ length: 17 }, (_, i) => `w${i}`).join(' '));
    await refused('a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q'); // one token, 17 words
    expect((await gql(service.url, SEARCH, { text: `camry ${'x '.repeat(15)}`.trim() })).errors).toBeUndefined();
    expect((await gql(service.url, SEARCH, { text: ` ${'я'.repeat(200)} ` })).errors).toBeUndefined();
  });

  test('tsquery operators, quotes, backslashes and LIKE wildcards are only text', async () => {
    for (const text of [
      'camry:*',
      'camry & !rav4',
      'camry | (rav4',
      '"camry',
      'camry <-> two',
      '\\',
      "camry' or '1'='1",
      '%',
      '_',
      '%camry%',
      '!!!',
      ':*',
      '-camry',
      'camry or rav4',
    ]) {
      const response = await gql(service.url, SEARCH, { text });
      expect(response.errors).toBeUndefined();
    }
    expect(await count('camry:*')).toBe(2);
    expect(await count('%')).toBe(4); // no word at all: no text condition
    expect(await count('"camry two"')).toBe(1);
    expect(await count('camry -two')).toBe(1);
  });
});

test('events over BullMQ on the real Redis reach a worker', async () => {
  const prefix = `autograph-test-${crypto.randomUUID()}`;
  const worker = await withEnv({ CATALOG_URL: `${catalog.url}/graphql`, QUEUE_PREFIX: prefix }, () =>
    startSubgraph(search, testSubgraphConfig(database.url, { redis: { url: 'redis://127.0.0.1:6379' } })),
  );
  const sender = createOfferEventSender({
    redis: 'redis://127.0.0.1:6379',
    queuePrefix: prefix,
    searchEventsUrl: 'http://127.0.0.1:9',
    internalToken: TOKEN,
    logger,
  });
  try {
    expect(await sender.send([event({ title: 'Narwhal via queue' })])).toBe(1);
    await eventually(async () => (await count('narwhal')) === 1, 10_000);
  } finally {
    await sender.close();
    await worker.stop();
    await dropSearchQueue(prefix);
  }
});

test('reindex rebuilds the index from the offers subgraph', async () => {
  const offers = await withEnv({ CATALOG_URL: `${catalog.url}/graphql` }, () =>
    startSubgraph(offersModule, testSubgraphConfig(database.url)),
  );
  const database2 = connectDatabase({ url: database.url, service: 'search-test', max: 2 }, tables);
  try {
    await sql`delete from offers.offers`;
    for (let i = 0; i < 130; i++) {
      await sql`insert into offers.offers (seller_id, model_id, make_id, title, price, year, mileage_km, city, status)
        values (${crypto.randomUUID()}, ${ids.vesta!}, ${ids.lada!}, ${`Reindexed ${i}`}, ${1000 + i}, 2020, 1000, 'Perm', ${i % 10 === 0 ? 'SOLD' : 'ACTIVE'})`;
    }
    const result = await reindexFromOffers({
      db: database2.db,
      catalog: createCatalogClient({ url: `${catalog.url}/graphql` }),
      offersUrl: `${offers.url}/graphql`,
    });
    expect(result.indexed).toBe(117);
    const [{ n }] = await sql`select count(*)::int as n from search.offer_documents`;
    expect(n).toBe(117); // stale documents from earlier tests are gone
    const [{ names }] =
      await sql`select count(*)::int as names from search.offer_documents where make_name = 'Lada' and model_name = 'Vesta'`;
    expect(names).toBe(117);
  } finally {
    await database2.close();
    await offers.stop();
  }
});
