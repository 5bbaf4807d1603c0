import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import offers from '..';
import search from '../../search';
import { startSubgraph } from '../../framework';
import type { RunningService } from '../../../kit/service';
import { connectDatabase } from '../../../kit/db';
import { insertMake, insertModel, startCatalog, testSubgraphConfig } from '../../catalog/tests/fixtures';
import { insertUser, startUsers, usersUrl } from '../../users/tests/fixtures';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { createTestIssuer } from '../../../tests/support/tokens';
import { eventually, gql, readCounter } from '../../../tests/support/graphql';
import { withEnv } from '../../../tests/support/env';
import { freePort } from '../../../kit/ports';
import { startOwnRedis, type OwnRedis } from '../../../tests/support/own-redis';
import { tables } from '../db/schema';
import { offerChanged, outboxStore } from '../outbox/store';
import { startOutboxRelay } from '../outbox/relay';
import { createLogger } from '../../../kit/log';

/**
 * The outbox end to end on real servers: offers and search as services, a Redis of the test's own
 * that is killed and started again, search stopped and started again. Nothing is reindexed: every
 * change acknowledged during the outage must reach search's index by itself.
 */
const TOKEN = 'outbox-test-internal-token';
const RECOVERY_BUDGET_MS = 30_000;

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let issuer: Awaited<ReturnType<typeof createTestIssuer>>;
let catalog: RunningService;
let users: RunningService;
let redis: OwnRedis;
let sql: postgres.Sql;
let modelId: string;
let token: string;

beforeAll(async () => {
  database = await createTempDatabase('outbox');
  issuer = await createTestIssuer();
  catalog = await startCatalog(database.url);
  users = await startUsers(database.url);
  redis = await startOwnRedis();
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  modelId = await insertModel(sql, await insertMake(sql, 'Toyota'), 'Camry');
  token = await issuer.sign(await insertUser(sql));
});

afterAll(async () => {
  await redis?.stop();
  await users?.stop();
  await catalog?.stop();
  await sql?.end();
  issuer?.stop();
  await database?.drop();
});

const startOffers = (env: Record<string, string>, redisUrl?: string) =>
  withEnv({ CATALOG_URL: `${catalog.url}/graphql`, INTERNAL_EVENTS_TOKEN: TOKEN, ...env }, () =>
    startSubgraph(
      offers,
      testSubgraphConfig(database.url, {
        jwksUrl: issuer.jwksUrl,
        usersUrl: usersUrl(users),
        redis: redisUrl ? { url: redisUrl } : undefined,
      }),
    ),
  );

const startSearch = (env: Record<string, string>, options: { redisUrl?: string; port?: number }) =>
  withEnv({ CATALOG_URL: `${catalog.url}/graphql`, INTERNAL_EVENTS_TOKEN: TOKEN, ...env }, () =>
    startSubgraph(
      search,
      testSubgraphConfig(database.url, {
        port: options.port ?? 0,
        redis: options.redisUrl ? { url: options.redisUrl } : undefined,
      }),
    ),
  );

async function create(service: RunningService, title: string): Promise<string> {
  const response = await gql(
    service.url,
    `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`,
    { input: { modelId, title, price: 100_000, year: 2020, mileageKm: 1_000, city: 'Kazan' } },
    { token },
  );
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.createOffer.id;
}

async function setPrice(service: RunningService, id: string, price: number) {
  const response = await gql(
    service.url,
    `mutation($id: ID!, $price: Int!) { updateOfferPrice(id: $id, price: $price) { id } }`,
    { id, price },
    { token },
  );
  if (response.errors) throw new Error(JSON.stringify(response.errors));
}

/** Offers whose indexed document has the given price (the last change made to each). */
const indexedAt = async (ids: string[], price: number) =>
  Number(
    (
      await sql`select count(*)::int as n from search.offer_documents where offer_id = any(${ids}::uuid[]) and price = ${price}`
    )[0]!.n,
  );
const pending = async () =>
  Number((await sql`select count(*)::int as n from offers.offer_events where sent_at is null`)[0]!.n);
/** Offers without an event row: an acknowledged change without its event would show here. */
const offersWithoutEvent = async () =>
  Number(
    (
      await sql`select count(*)::int as n from offers.offers o
        where not exists (select 1 from offers.offer_events e where e.offer_id = o.id)`
    )[0]!.n,
  );

/** Makes changes while the destination is down, brings it back, and measures how long search takes to catch up. */
async function changesDuringOutage(
  service: RunningService,
  outage: { down(): Promise<void>; up(): Promise<void> },
  label: string,
) {
  await outage.down();
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) ids.push(await create(service, `${label} outage car ${i}`));
  for (const id of ids) await setPrice(service, id, 77_777);
  expect(await pending()).toBeGreaterThanOrEqual(16);
  expect(await offersWithoutEvent()).toBe(0);
  // The relay meets the outage a few times (backoff) and reports the backlog.
  await Bun.sleep(2_500);
  expect(await readCounter(`${service.url}/metrics`, 'autograph_outbox_pending_events')).toBeGreaterThan(0);
  expect(await indexedAt(ids, 77_777)).toBe(0);

  await outage.up();
  const back = performance.now();
  await eventually(async () => (await indexedAt(ids, 77_777)) === ids.length, RECOVERY_BUDGET_MS, 100);
  const caughtUpMs = Math.round(performance.now() - back);
  console.log(`${label}: search caught up ${caughtUpMs} ms after recovery`);
  expect(caughtUpMs).toBeLessThan(RECOVERY_BUDGET_MS);
  await eventually(async () => (await pending()) === 0, 5_000);
  await eventually(
    async () => (await readCounter(`${service.url}/metrics`, 'autograph_outbox_pending_events')) === 0,
    5_000,
  );
}

test('with Redis: changes made while Redis is down reach search after it is back, without a reindex', async () => {
  const prefix = `autograph-outbox-${crypto.randomUUID()}`;
  const searchService = await startSearch({ QUEUE_PREFIX: prefix }, { redisUrl: redis.url });
  const service = await startOffers({ QUEUE_PREFIX: prefix }, redis.url);
  try {
    const before = await create(service, 'Before the outage');
    await eventually(async () => (await indexedAt([before], 100_000)) === 1, 10_000);
    await changesDuringOutage(service, { down: () => redis.stop(), up: () => redis.start() }, 'redis');
  } finally {
    await service.stop();
    await searchService.stop();
  }
});

test('without Redis: changes made while search is down reach it after it is back', async () => {
  const port = await freePort();
  let searchService: RunningService | null = await startSearch({}, { port });
  const service = await startOffers({ SEARCH_EVENTS_URL: `http://127.0.0.1:${port}/events/offers` });
  try {
    await changesDuringOutage(
      service,
      {
        down: async () => {
          await searchService?.stop();
          searchService = null;
        },
        up: async () => {
          searchService = await startSearch({}, { port });
        },
      },
      'http',
    );
  } finally {
    await service.stop();
    await searchService?.stop();
  }
});

test('relays in several replicas: leases are exclusive, and each offer leaves in the order written', async () => {
  const a = connectDatabase({ url: database.url, service: 'outbox-test-a', max: 1 }, tables);
  const b = connectDatabase({ url: database.url, service: 'outbox-test-b', max: 1 }, tables);
  try {
    const [first, second] = [outboxStore(a.db), outboxStore(b.db)];
    await sql`update offers.offer_events set sent_at = now() where sent_at is null`;
    const [row] = await sql`select * from offers.offers limit 1`;
    const offer = await a.db.query.offers.findFirst({ where: (o, { eq }) => eq(o.id, row!.id) });
    const event = offerChanged(offer!);
    for (let i = 0; i < 3; i++)
      await sql`insert into offers.offer_events (offer_id, payload) values (${offer!.id}, ${sql.json(event as never)})`;

    const taken = await first.claim(10, 30_000);
    expect(taken).toHaveLength(1); // only the oldest of the offer's three events
    expect(await second.claim(10, 30_000)).toEqual([]); // leased, and the later two wait for it
    await first.markSent([taken[0]!.id]);
    const next = await second.claim(10, 30_000);
    expect(next.map((e) => e.id)).toEqual([taken[0]!.id + 1]);
    await second.release(
      next.map((e) => e.id),
      'test',
    );
    expect((await first.claim(10, 30_000)).map((e) => e.id)).toEqual([taken[0]!.id + 1]); // given back at once
  } finally {
    await a.close();
    await b.close();
  }
});

test('a round that hangs on its connection is given up and the relay goes on over a new one', async () => {
  const renewed = connectDatabase({ url: database.url, service: 'outbox-test-renewed', max: 1 }, tables);
  try {
    await sql`update offers.offer_events set sent_at = now() where sent_at is null`;
    const [row] = await sql`select * from offers.offers limit 1`;
    const offer = await renewed.db.query.offers.findFirst({ where: (o, { eq }) => eq(o.id, row!.id) });
    await sql`insert into offers.offer_events (offer_id, payload) values (${offer!.id}, ${sql.json(offerChanged(offer!) as never)})`;
    // A statement that never settles, as on a connection the database dropped without a word: a
    // stand-in, since a real half-dead socket cannot be made on demand here.
    const hung = { ...outboxStore(renewed.db), claim: () => new Promise<never>(() => {}) };
    const sent: string[] = [];
    let renewals = 0;
    const relay = startOutboxRelay({
      store: hung,
      renewStore: () => {
        renewals++;
        return outboxStore(renewed.db);
      },
      send: async (events) => {
        sent.push(...events.map((e) => e.offer.id));
        return events.length;
      },
      logger: createLogger('outbox-test', 'silent'),
      roundLimitMs: 300,
      pollIntervalMs: 50,
    });
    try {
      await eventually(async () => sent.length > 0, 10_000);
      expect(sent).toEqual([offer!.id]);
      expect(renewals).toBe(1);
    } finally {
      await relay.stop();
    }
  } finally {
    await renewed.close();
  }
});
