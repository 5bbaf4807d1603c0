import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type postgres from 'postgres';
import offers from '..';
import { startSubgraph } from '../../framework';
import type { RunningService } from '../../../kit/service';
import { insertMake, insertModel, startCatalog, testSubgraphConfig } from '../../catalog/tests/fixtures';
import type { createTempDatabase } from '../../../tests/support/temp-database';
import type { createTestIssuer } from '../../../tests/support/tokens';
import { errorCodes, gql, readCounter } from '../../../tests/support/graphql';
import { insertUser, usersUrl } from '../../users/tests/fixtures';
import { offerInput, startOffersWithPeers, type OffersWithPeers } from './fixtures';

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let issuer: Awaited<ReturnType<typeof createTestIssuer>>;
let catalog: RunningService;
let service: RunningService;
let sql: postgres.Sql;
let modelId: string;
let makeId: string;
let seller: string;
let other: string;
let sellerToken: string;
let otherToken: string;

const CREATE = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id title price currency status seller { id } model { id } } }`;
const input = (overrides: Record<string, unknown> = {}) => offerInput(modelId, overrides);
const create = async (overrides: Record<string, unknown> = {}, token = sellerToken) => {
  const response = await gql(service.url, CREATE, { input: input(overrides) }, { token });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.createOffer;
};

let peers: OffersWithPeers;

beforeAll(async () => {
  peers = await startOffersWithPeers('offers');
  ({ database, issuer, catalog, sql, service, makeId, modelId } = peers);
  [seller, other] = peers.sellers;
  [sellerToken, otherToken] = peers.tokens;
});

afterAll(async () => {
  await peers?.stop();
});

describe('createOffer', () => {
  test('a seller creates an offer; the make comes from the catalog', async () => {
    const offer = await create();
    expect(offer).toMatchObject({
      title: 'Camry 2.5 AT',
      price: 250_000_000,
      currency: 'RUB',
      status: 'ACTIVE',
      seller: { id: seller },
      model: { id: modelId },
    });
    const [row] = await sql`select make_id from offers.offers where id = ${offer.id}`;
    expect(row!.make_id).toBe(makeId);
  });

  test('each invalid field is named', async () => {
    for (const [field, value] of [
      ['title', 'ab'],
      ['price', 0],
      ['year', 1900],
      ['mileageKm', -1],
      ['city', ' '],
    ] as const) {
      const response = await gql(service.url, CREATE, { input: input({ [field]: value }) }, { token: sellerToken });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.extensions!.field).toBe(field);
    }
    const badId = await gql(service.url, CREATE, { input: input({ modelId: 'nope' }) }, { token: sellerToken });
    expect(errorCodes(badId)).toEqual(['BAD_USER_INPUT']);
  });

  test('anonymous → UNAUTHENTICATED, buyer-only → FORBIDDEN, unknown model → NOT_FOUND', async () => {
    expect(errorCodes(await gql(service.url, CREATE, { input: input() }))).toEqual(['UNAUTHENTICATED']);
    const buyer = await issuer.sign(await insertUser(sql, { roles: ['BUYER'] }), ['BUYER']);
    expect(errorCodes(await gql(service.url, CREATE, { input: input() }, { token: buyer }))).toEqual(['FORBIDDEN']);
    const unknown = await gql(
      service.url,
      CREATE,
      { input: input({ modelId: crypto.randomUUID() }) },
      { token: sellerToken },
    );
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
  });
});

describe('writes by accounts that are gone', () => {
  const offerCount = async (sellerId: string) =>
    Number((await sql`select count(*) from offers.offers where seller_id = ${sellerId}`)[0]!.count);

  test("a deleted account's still valid token writes nothing: UNAUTHENTICATED", async () => {
    const id = await insertUser(sql);
    const token = await issuer.sign(id);
    await create({}, token);
    await sql`delete from users.users where id = ${id}`;
    const response = await gql(service.url, CREATE, { input: input() }, { token });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors![0]!.message).toContain('no longer exists or is deactivated');
    expect(await offerCount(id)).toBe(1);
  });

  test('a deactivated account cannot create or change offers; reads still work', async () => {
    const id = await insertUser(sql);
    const token = await issuer.sign(id);
    const offer = await create({}, token);
    await sql`update users.users set deactivated_at = now() where id = ${id}`;
    expect(errorCodes(await gql(service.url, CREATE, { input: input() }, { token }))).toEqual(['UNAUTHENTICATED']);
    const PRICE = 'mutation($id: ID!, $p: Int!) { updateOfferPrice(id: $id, price: $p) { price } }';
    expect(errorCodes(await gql(service.url, PRICE, { id: offer.id, p: 1_000 }, { token }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(
      (await gql(service.url, 'query($id: ID!) { offer(id: $id) { price } }', { id: offer.id }, { token })).data.offer
        .price,
    ).toBe(offer.price);
    expect(await offerCount(id)).toBe(1);
  });

  test('a token whose subject was never an account writes nothing', async () => {
    const token = await issuer.sign(crypto.randomUUID());
    expect(errorCodes(await gql(service.url, CREATE, { input: input() }, { token }))).toEqual(['UNAUTHENTICATED']);
  });

  test('when users cannot be asked, writes fail closed with AUTH_UNAVAILABLE', async () => {
    process.env.CATALOG_URL = `${catalog.url}/graphql`;
    const cut = await startSubgraph(offers, testSubgraphConfig(database.url, { jwksUrl: issuer.jwksUrl })).finally(
      () => delete process.env.CATALOG_URL,
    );
    try {
      const response = await gql(cut.url, CREATE, { input: input() }, { token: sellerToken });
      expect(errorCodes(response)).toEqual(['AUTH_UNAVAILABLE']);
      expect(response.errors![0]!.extensions!.retryable).toBe(true); // refused before anything was written
    } finally {
      await cut.stop();
    }
  });
});

describe('owner-only changes', () => {
  test('the owner reprices and sells; another user is FORBIDDEN; unknown id NOT_FOUND', async () => {
    const offer = await create();
    const PRICE = 'mutation($id: ID!, $p: Int!) { updateOfferPrice(id: $id, price: $p) { price } }';
    const STATUS = 'mutation($id: ID!, $s: OfferStatus!) { setOfferStatus(id: $id, status: $s) { status } }';
    expect(errorCodes(await gql(service.url, PRICE, { id: offer.id, p: 1 }, { token: otherToken }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(
      (await gql(service.url, PRICE, { id: offer.id, p: 199_000_000 }, { token: sellerToken })).data.updateOfferPrice
        .price,
    ).toBe(199_000_000);
    expect(errorCodes(await gql(service.url, PRICE, { id: offer.id, p: -5 }, { token: sellerToken }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(errorCodes(await gql(service.url, STATUS, { id: offer.id, s: 'SOLD' }, { token: otherToken }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(
      (await gql(service.url, STATUS, { id: offer.id, s: 'SOLD' }, { token: sellerToken })).data.setOfferStatus.status,
    ).toBe('SOLD');
    expect(
      errorCodes(await gql(service.url, STATUS, { id: crypto.randomUUID(), s: 'SOLD' }, { token: sellerToken })),
    ).toEqual(['NOT_FOUND']);
  });
});

describe('listing', () => {
  const LIST = `query($first: Int, $after: String, $orderBy: OfferOrder, $filter: OfferFilter) {
    offers(first: $first, after: $after, orderBy: $orderBy, filter: $filter) { totalCount edges { cursor node { id price mileageKm } } pageInfo { hasNextPage endCursor } }
  }`;

  beforeAll(async () => {
    for (let i = 0; i < 12; i++)
      await create({
        price: 100_000_000 + (i % 4) * 1_000_000,
        mileageKm: 10_000 * (i % 5),
        city: i % 2 ? 'Moscow' : 'Kazan',
      });
  });

  async function walk(orderBy: string, filter?: Record<string, unknown>) {
    const ids: string[] = [];
    const nodes: { price: number; mileageKm: number }[] = [];
    let after: string | null = null;
    for (;;) {
      const response: any = await gql(service.url, LIST, { first: 5, after, orderBy, filter });
      expect(response.errors).toBeUndefined();
      ids.push(...response.data.offers.edges.map((e: any) => e.node.id));
      nodes.push(...response.data.offers.edges.map((e: any) => e.node));
      if (!response.data.offers.pageInfo.hasNextPage) return { ids, nodes, total: response.data.offers.totalCount };
      after = response.data.offers.pageInfo.endCursor;
    }
  }

  test('every ordering pages through every active offer exactly once, in order', async () => {
    const active = (await sql`select count(*)::int as n from offers.offers where status = 'ACTIVE'`)[0]!.n;
    const sorted = (values: number[], direction: 1 | -1) =>
      values.every((v, i) => i === 0 || (v - values[i - 1]!) * direction >= 0);
    for (const order of ['NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'MILEAGE_ASC']) {
      const { ids, nodes, total } = await walk(order);
      expect(ids).toHaveLength(active);
      expect(new Set(ids).size).toBe(active);
      expect(total).toBe(active);
      if (order === 'PRICE_ASC')
        expect(
          sorted(
            nodes.map((n) => n.price),
            1,
          ),
        ).toBe(true);
      if (order === 'PRICE_DESC')
        expect(
          sorted(
            nodes.map((n) => n.price),
            -1,
          ),
        ).toBe(true);
      if (order === 'MILEAGE_ASC')
        expect(
          sorted(
            nodes.map((n) => n.mileageKm),
            1,
          ),
        ).toBe(true);
    }
  });

  test('pages stay stable when a newer offer arrives between them', async () => {
    const first: any = await gql(service.url, LIST, { first: 4 });
    await create({ title: 'Arrived between pages' });
    const second: any = await gql(service.url, LIST, { first: 4, after: first.data.offers.pageInfo.endCursor });
    const firstIds = first.data.offers.edges.map((e: any) => e.node.id);
    const secondIds = second.data.offers.edges.map((e: any) => e.node.id);
    expect(secondIds.some((id: string) => firstIds.includes(id))).toBe(false);
    const [next] =
      await sql`select id from offers.offers where status = 'ACTIVE' order by created_at desc, id desc offset 5 limit 1`;
    expect(secondIds[0]).toBe(next!.id); // the 5th of the old list (6th now) follows without a gap
  });

  test('filters, and a filter with any status', async () => {
    const kazan = await walk('NEWEST', { city: 'kazan' });
    const rows = await sql`select count(*)::int as n from offers.offers where status = 'ACTIVE' and city = 'Kazan'`;
    expect(kazan.total).toBe(rows[0]!.n);
    const cheap = await gql(service.url, LIST, { first: 100, filter: { priceMax: 100_000_000 } });
    for (const edge of cheap.data.offers.edges) expect(edge.node.price).toBeLessThanOrEqual(100_000_000);
    const any = await gql(service.url, LIST, { first: 1, filter: { status: null } });
    expect(any.data.offers.totalCount).toBe((await sql`select count(*)::int as n from offers.offers`)[0]!.n);
  });

  test('a list reads the columns of the fields selected, through fragments, and pages by cursor alone', async () => {
    const FULL = `query($first: Int, $after: String) { offers(first: $first, after: $after, orderBy: PRICE_ASC) {
      edges { cursor node { id title price currency year mileageKm city status createdAt updatedAt
        model { id } seller { id } photos { url } } } pageInfo { endCursor } } }`;
    const PARTIAL = `query($first: Int, $after: String) { offers(first: $first, after: $after, orderBy: PRICE_ASC) {
      edges { cursor node { __typename ...Card ... on Offer { seller { id } } } } pageInfo { endCursor } } }
      fragment Card on Offer { id price city }`;
    const full: any = await gql(service.url, FULL, { first: 3 });
    const partial: any = await gql(service.url, PARTIAL, { first: 3 });
    expect(partial.errors).toBeUndefined();
    expect(partial.data.offers.edges).toEqual(
      full.data.offers.edges.map(({ cursor, node }: any) => ({
        cursor,
        node: { __typename: 'Offer', id: node.id, price: node.price, city: node.city, seller: node.seller },
      })),
    );
    // Cursors selected with no sort column among the fields (title only) still page on.
    const TITLES = `query($after: String) { offers(first: 2, after: $after, orderBy: MILEAGE_ASC) {
      edges { node { title } } pageInfo { endCursor } } }`;
    const page1: any = await gql(service.url, TITLES, {});
    const page2: any = await gql(service.url, TITLES, { after: page1.data.offers.pageInfo.endCursor });
    expect(page2.errors).toBeUndefined();
    expect(page2.data.offers.edges).toHaveLength(2);
  });

  test('bad paging input → BAD_USER_INPUT', async () => {
    expect(errorCodes(await gql(service.url, LIST, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await gql(service.url, LIST, { first: 5, after: 'garbage' }))).toEqual(['BAD_USER_INPUT']);
    const newest: any = await gql(service.url, LIST, { first: 1 });
    const crossOrder = await gql(service.url, LIST, {
      first: 1,
      orderBy: 'PRICE_ASC',
      after: newest.data.offers.pageInfo.endCursor,
    });
    expect(errorCodes(crossOrder)).toEqual(['BAD_USER_INPUT']);
  });
});

test('User.offers and Model.offers cost the same statements for 5 or 50 parents', async () => {
  const statements = async (typename: string, ids: string[]) => {
    const before = await readCounter(`${service.url}/metrics`, 'autograph_sql_statements_total', { service: 'offers' });
    const response = await gql(
      service.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { id offers(first: 3) { totalCount edges { node { id } } } } } }`,
      {
        r: ids.map((id) => ({ __typename: typename, id })),
      },
    );
    expect(response.errors).toBeUndefined();
    return (
      (await readCounter(`${service.url}/metrics`, 'autograph_sql_statements_total', { service: 'offers' })) - before
    );
  };
  const parents = (n: number) => [seller, ...Array.from({ length: n - 1 }, () => crypto.randomUUID())];
  expect(await statements('User', parents(5))).toBe(await statements('User', parents(50)));
  expect(await statements('Model', [modelId, ...parents(4)])).toBe(
    await statements('Model', [modelId, ...parents(49)]),
  );
});
