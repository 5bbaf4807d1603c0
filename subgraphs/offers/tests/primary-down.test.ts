import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import offers from '..';
import search from '../../search';
import { startSubgraph } from '../../framework';
import type { RunningService } from '../../../kit/service';
import { insertMake, insertModel, startCatalog, testSubgraphConfig } from '../../catalog/tests/fixtures';
import { insertUser, startUsers, usersUrl } from '../../users/tests/fixtures';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { createTestIssuer } from '../../../tests/support/tokens';
import { errorCodes, eventually, gql, type GraphQLResponse } from '../../../tests/support/graphql';
import { withEnv } from '../../../tests/support/env';
import { startOwnPostgres, type OwnPostgres } from '../../../tests/support/own-postgres';

/**
 * Offers on a PostgreSQL server of the test's own, stopped and started while requests arrive:
 * writes get a retryable SERVICE_UNAVAILABLE, never a masked internal error; nothing is written
 * half (an offer always has its event row); the relay outlives the outage and delivers afterwards.
 * Catalog, users and search run on the shared server.
 */
const TOKEN = 'primary-down-internal-token';
let shared: Awaited<ReturnType<typeof createTempDatabase>>;
let primary: OwnPostgres;
let issuer: Awaited<ReturnType<typeof createTestIssuer>>;
let catalog: RunningService;
let users: RunningService;
let searchService: RunningService;
let service: RunningService;
let sharedSql: postgres.Sql;
let modelId: string;
let token: string;

beforeAll(async () => {
  shared = await createTempDatabase('primary_down');
  primary = await startOwnPostgres();
  issuer = await createTestIssuer();
  catalog = await startCatalog(shared.url);
  users = await startUsers(shared.url);
  sharedSql = postgres(shared.url, { max: 2, onnotice: () => {} });
  modelId = await insertModel(sharedSql, await insertMake(sharedSql, 'Lada'), 'Vesta');
  token = await issuer.sign(await insertUser(sharedSql));
  const env = { CATALOG_URL: `${catalog.url}/graphql`, INTERNAL_EVENTS_TOKEN: TOKEN };
  searchService = await withEnv(env, () => startSubgraph(search, testSubgraphConfig(shared.url)));
  service = await withEnv({ ...env, SEARCH_EVENTS_URL: `${searchService.url}/events/offers` }, () =>
    startSubgraph(
      offers,
      testSubgraphConfig(primary.url(), { jwksUrl: issuer.jwksUrl, usersUrl: usersUrl(users), poolMax: 4 }),
    ),
  );
});

afterAll(async () => {
  await service?.stop();
  await searchService?.stop();
  await users?.stop();
  await catalog?.stop();
  await sharedSql?.end();
  issuer?.stop();
  await primary?.destroy();
  await shared?.drop();
});

const create = (title: string): Promise<GraphQLResponse> =>
  gql(
    service.url,
    `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`,
    { input: { modelId, title, price: 500_000, year: 2021, mileageKm: 10, city: 'Samara' } },
    { token },
  );
const indexed = async (id: string) =>
  (await sharedSql`select 1 from search.offer_documents where offer_id = ${id}`).length === 1;

test('writes while the primary is down: SERVICE_UNAVAILABLE, retryable; nothing half-written; events flow after', async () => {
  const before = await create('Before the outage');
  expect(before.errors).toBeUndefined();
  await eventually(() => indexed(before.data.createOffer.id), 10_000);

  // The server stops between requests (requests racing the shutdown itself make postgres.js on Bun
  // raise socket errors outside any promise, which bun test counts as failures: kit/db-errors.ts).
  await primary.stop();

  const down = await create('During the outage');
  expect(errorCodes(down)).toEqual(['SERVICE_UNAVAILABLE']);
  expect(down.errors![0]!.extensions!.retryable).toBe(true);
  const price = await gql(
    service.url,
    `mutation($id: ID!) { updateOfferPrice(id: $id, price: 1000) { id } }`,
    { id: before.data.createOffer.id },
    { token },
  );
  expect(errorCodes(price)).toEqual(['SERVICE_UNAVAILABLE']);
  // The relay meets the outage for a while; the process keeps serving (health) and says it is not ready.
  await Bun.sleep(2_500);
  expect((await fetch(`${service.url}/healthcheck`)).status).toBe(200);
  expect((await fetch(`${service.url}/readiness`)).status).toBe(503);

  await primary.start();
  const after = await eventually(async () => {
    const answer = await create('After the outage');
    return answer.errors ? null : (answer.data.createOffer.id as string);
  }, 15_000);
  await eventually(() => indexed(after), 30_000);

  const sql = postgres(primary.url(), { max: 1, onnotice: () => {} });
  try {
    const rows =
      await sql`select o.id, exists (select 1 from offers.offer_events e where e.offer_id = o.id) as has_event
      from offers.offers o`;
    const stored = new Set(rows.map((r) => r.id as string));
    for (const id of [before.data.createOffer.id, after]) expect(stored.has(id)).toBe(true);
    expect(rows.filter((r) => !r.has_event)).toEqual([]);
    // Every stored offer reaches search.
    for (const id of stored) await eventually(() => indexed(id), 30_000);
  } finally {
    await sql.end();
  }
});
