import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { createLogger } from '../../../kit/log';
import type { RunningService } from '../../../kit/service';
import { errorCodes, gql } from '../../../tests/support/graphql';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { createTestIssuer } from '../../../tests/support/tokens';
import { subgraphs } from '../..';
import { insertMake, insertModel, testSubgraphConfig } from '../../catalog/tests/fixtures';
import { insertUser, usersUrl } from '../../users/tests/fixtures';
import { startSubgraph } from '../subgraph';
import type { SubgraphName } from '../subgraph-config';

/**
 * Text that is not text — a NUL character, half of a surrogate pair — anywhere in the input of
 * any of the five real subgraphs is BAD_USER_INPUT before a resolver runs: never an internal
 * error from PostgreSQL, never a log line with the statement's values.
 */
let database: Awaited<ReturnType<typeof createTempDatabase>>;
let issuer: Awaited<ReturnType<typeof createTestIssuer>>;
let sql: postgres.Sql;
let token: string;
let modelId: string;
const running = {} as Record<SubgraphName, RunningService>;
const logLines: string[] = [];
const url = (name: SubgraphName) => running[name].url;

beforeAll(async () => {
  database = await createTempDatabase('input_guard');
  issuer = await createTestIssuer();
  const logger = createLogger('input-guard-test', 'info', { write: (line: string) => void logLines.push(line) });
  const start = async (name: SubgraphName, env: Record<string, string> = {}) => {
    Object.assign(process.env, env);
    try {
      running[name] = await startSubgraph(
        await subgraphs[name](),
        testSubgraphConfig(database.url, {
          jwksUrl: issuer.jwksUrl,
          usersUrl: running.users ? usersUrl(running.users) : undefined,
        }),
        { logger },
      );
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
  };
  await start('users');
  await start('catalog');
  const catalogUrl = { CATALOG_URL: `${url('catalog')}/graphql` };
  await start('search', catalogUrl);
  await start('reviews', catalogUrl);
  await start('offers', { ...catalogUrl, SEARCH_EVENTS_URL: `${url('search')}/events/offers` });
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  modelId = await insertModel(sql, await insertMake(sql, 'Toyota'), 'Camry');
  token = await issuer.sign(await insertUser(sql));
});

afterAll(async () => {
  for (const service of Object.values(running).reverse()) await service.stop();
  await sql?.end();
  issuer?.stop();
  await database?.drop();
});

const NUL = 'a\u0000b';
const LONE = 'caf\ud800e';

function expectRefused(response: Awaited<ReturnType<typeof gql>>, field: string) {
  expect(response.status).not.toBe(500);
  expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  expect(response.errors![0]!.extensions!.field).toBe(field);
  expect(response.errors![0]!.message).toContain('NUL');
  expect(response.data ?? null).toBeNull();
}

describe('every subgraph refuses text that is not text', () => {
  test('users: sign-up with a NUL in the e-mail writes nothing and logs nothing of it', async () => {
    const email = `anna${NUL}@example.com`;
    const before = logLines.length;
    // E-mails are stored encrypted: no row at all may appear.
    const [{ accounts }] = await sql`select count(*)::int as accounts from users.users`;
    const response = await gql(
      url('users'),
      'mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }',
      {
        input: { email, password: 'long enough password', name: 'Anna', city: 'Kazan' },
      },
    );
    expectRefused(response, '$input.email');
    expect((await sql`select count(*)::int as n from users.users`)[0]!.n).toBe(accounts);
    expect(logLines.slice(before).join('\n')).not.toContain('anna');
  });

  test('users: a literal in the document (\\u0000 escape) and a lone surrogate in a variable', async () => {
    expectRefused(
      await gql(
        url('users'),
        'mutation { login(email: "a\\u0000b@example.com", password: "whatever password") { accessToken } }',
      ),
      'email',
    );
    expectRefused(
      await gql(
        url('users'),
        'mutation ($e: String!) { login(email: $e, password: "whatever password") { accessToken } }',
        { e: LONE },
      ),
      '$e',
    );
  });

  test('offers: a filter literal nested in an input object, and a title in a signed-in write', async () => {
    const nul = `{ offers(filter: { city: "Ka\\u0000zan" }) { totalCount } }`;
    expectRefused(await gql(url('offers'), nul), 'filter');
    expectRefused(await gql(url('offers'), nul), 'filter'); // the same document again: its verdict is kept
    const input = { modelId, title: `Camry ${LONE}`, price: 100_000, year: 2019, mileageKm: 1, city: 'Kazan' };
    expectRefused(
      await gql(
        url('offers'),
        'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { id } }',
        { input },
        { token },
      ),
      '$input.title',
    );
    expect((await sql`select count(*)::int as n from offers.offers`)[0]!.n).toBe(0);
  });

  test('reviews: review text', async () => {
    const input = { modelId, rating: 4, text: `Good car ${NUL} really` };
    expectRefused(
      await gql(
        url('reviews'),
        'mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }',
        { input },
        { token },
      ),
      '$input.text',
    );
  });

  test('search: search text and filters', async () => {
    expectRefused(
      await gql(url('search'), 'query ($t: String) { searchOffers(text: $t) { totalCount } }', { t: NUL }),
      '$t',
    );
    expectRefused(
      await gql(url('search'), 'query ($f: SearchFilter) { searchOffers(filter: $f) { totalCount } }', {
        f: { city: LONE },
      }),
      '$f.city',
    );
  });

  test('catalog: IDs, and entity representations (keys included)', async () => {
    expectRefused(await gql(url('catalog'), 'query ($id: ID!) { make(id: $id) { id } }', { id: NUL }), '$id');
    const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Model { id } } }';
    expectRefused(
      await gql(url('catalog'), ENTITIES, {
        r: [
          { __typename: 'Model', id: modelId },
          { __typename: 'Model', id: NUL },
        ],
      }),
      '$r[1].id',
    );
    expectRefused(
      await gql(url('catalog'), ENTITIES, { r: [{ __typename: 'Model', [`i${NUL}d`]: modelId }] }),
      '$r[0]',
    );
  });
});

describe('what stays allowed', () => {
  test('any real text: Cyrillic, emoji (surrogate pairs), quotes, backslashes', async () => {
    const response = await gql(
      url('search'),
      'query ($t: String, $f: SearchFilter) { searchOffers(text: $t, filter: $f) { totalCount } }',
      { t: 'Лада 🚗 "\\ 100%', f: { city: 'Санкт-Петербург 🏙' } },
    );
    expect(response.errors).toBeUndefined();
    const offers = await gql(url('offers'), `{ offers(filter: { city: "Ka\\u007Azan 🚗" }) { totalCount } }`);
    expect(offers.errors).toBeUndefined();
  });

  test('deeply nested variables are walked without blowing the stack', async () => {
    let deep: unknown = NUL;
    for (let i = 0; i < 5_000; i++) deep = [deep];
    const response = await gql(url('catalog'), 'query ($id: ID!) { make(id: $id) { id } }', { id: 'x', extra: deep });
    expect(response.status).not.toBe(500);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });
});
