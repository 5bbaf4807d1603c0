import { beforeAll, describe, expect, test } from 'bun:test';
import { SUBGRAPH_NAMES } from '../../subgraphs';
import { errorCodes, gql, readCounter } from '../support/graphql';
import { getSystem } from '../support/system';

let gateway: string;
let subgraphUrls: Record<string, string>;

beforeAll(async () => {
  const system = await getSystem();
  gateway = system.gatewayUrl;
  subgraphUrls = system.subgraphUrls;
}, 180_000);

const OFFER_CARD = /* GraphQL */ `
  query OfferCard($first: Int!) {
    offers(first: $first) {
      totalCount
      edges {
        node {
          id title price currency year city status createdAt
          photos { url width height }
          seller { id name kind city }
          model { id name bodyType make { id name country } rating { average count } }
        }
      }
    }
  }
`;

/**
 * SQL statements sent by every subgraph but users, from their /metrics: the peers poll users for erasures every few hundred ms
 * in this system, so its counter moves on its own. (Users' batching is counted by its own tests.)
 */
async function sqlStatements() {
  const counts = await Promise.all(
    SUBGRAPH_NAMES.filter((name) => name !== 'users').map((name) =>
      readCounter(`${subgraphUrls[name]}/metrics`, 'autograph_sql_statements_total', { service: name }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

describe('the federated graph through the gateway', () => {
  test('one query touches all five subgraphs', async () => {
    const response = await gql(
      gateway,
      /* GraphQL */ `
      {
        makes { id name }
        offers(first: 3) { edges { node { title seller { name } model { name make { name } rating { count } } } } }
        searchOffers(first: 3) { totalCount offers { id title price } facets { makes { label count } } }
      }
    `,
    );
    expect(response.errors).toBeUndefined();
    const data = response.data!;
    expect(data.makes.length).toBeGreaterThanOrEqual(30);
    expect(data.offers.edges).toHaveLength(3);
    for (const { node } of data.offers.edges) {
      expect(node.seller.name.length).toBeGreaterThan(0); // users
      expect(node.model.make.name.length).toBeGreaterThan(0); // catalog
    }
    expect(data.searchOffers.totalCount).toBeGreaterThan(1000); // search
    expect(data.searchOffers.offers[0].title.length).toBeGreaterThan(0); // search → offers
    expect(data.offers.edges.some((e: any) => e.node.model.rating !== null)).toBe(true); // reviews
  });

  test('SQL statements per request do not grow with list size', async () => {
    await gql(gateway, OFFER_CARD, { first: 5 }); // warm-up: JWKS, plans, connections
    const before10 = await sqlStatements();
    const ten = await gql(gateway, OFFER_CARD, { first: 10 });
    const for10 = (await sqlStatements()) - before10;
    const before100 = await sqlStatements();
    const hundred = await gql(gateway, OFFER_CARD, { first: 100 });
    const for100 = (await sqlStatements()) - before100;

    expect(ten.errors).toBeUndefined();
    expect(hundred.errors).toBeUndefined();
    expect(hundred.data.offers.edges).toHaveLength(100);
    expect(for10).toBeGreaterThan(0);
    // Batched: a list ten times longer costs no more statements. (Not exactly equal: the catalog's
    // reference cache may already hold the models the shorter list loaded.)
    expect(for100).toBeLessThanOrEqual(for10);
  });

  test("a model's rating count equals its reviews' totalCount", async () => {
    const response = await gql(
      gateway,
      `{ makes { models { id rating { count average } reviews(first: 1) { totalCount } } } }`,
    );
    expect(response.errors).toBeUndefined();
    const models = response.data.makes.flatMap((m: any) => m.models);
    expect(models.length).toBeGreaterThan(200);
    let rated = 0;
    for (const model of models) {
      expect(model.rating?.count ?? 0).toBe(model.reviews.totalCount);
      if (model.rating) {
        rated++;
        expect(model.rating.average).toBeGreaterThanOrEqual(1);
        expect(model.rating.average).toBeLessThanOrEqual(5);
      }
    }
    expect(rated).toBeGreaterThan(100);
  });

  test("a seller's offers contain the offer that named that seller", async () => {
    const newest = await gql(gateway, `{ offers(first: 20) { edges { node { id seller { id } } } } }`);
    expect(newest.errors).toBeUndefined();
    for (const { node } of newest.data.offers.edges.slice(0, 5)) {
      let after: string | null = null;
      let found = false;
      for (let page = 0; page < 20 && !found; page++) {
        const response: any = await gql(
          gateway,
          `query($id: ID!, $after: String) { user(id: $id) { offers(first: 100, after: $after) { edges { node { id seller { id } } } pageInfo { hasNextPage endCursor } } } }`,
          { id: node.seller.id, after },
        );
        expect(response.errors).toBeUndefined();
        const offers = response.data.user.offers;
        for (const edge of offers.edges) expect(edge.node.seller.id).toBe(node.seller.id);
        found = offers.edges.some((e: any) => e.node.id === node.id);
        if (!offers.pageInfo.hasNextPage) break;
        after = offers.pageInfo.endCursor;
      }
      expect(found).toBe(true);
    }
  });

  test('searchOffers counts match offers with the same filter', async () => {
    const makes = (await gql(gateway, `{ makes { id name } }`)).data.makes.slice(0, 4);
    for (const make of makes) {
      const response = await gql(
        gateway,
        `query($makeId: ID!) {
        offers(first: 1, filter: { makeId: $makeId }) { totalCount }
        searchOffers(filter: { makeId: $makeId }, first: 1) { totalCount facets { makes { value count } } }
      }`,
        { makeId: make.id },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data.searchOffers.totalCount).toBe(response.data.offers.totalCount);
      const facet = response.data.searchOffers.facets.makes.find((b: any) => b.value === make.id);
      expect(facet?.count ?? 0).toBe(response.data.offers.totalCount);
    }
  });

  test('bad input gets a clear error code', async () => {
    const tooMany = await gql(gateway, `{ offers(first: 101) { totalCount } }`);
    expect(errorCodes(tooMany)).toContain('BAD_USER_INPUT');
    const badCursor = await gql(gateway, `{ offers(first: 5, after: "nonsense") { totalCount } }`);
    expect(errorCodes(badCursor)).toContain('BAD_USER_INPUT');
    const missing = await gql(
      gateway,
      `{ offer(id: "00000000-0000-4000-8000-000000000000") { id } model(id: "garbage") { id } }`,
    );
    expect(missing.errors).toBeUndefined();
    expect(missing.data).toEqual({ offer: null, model: null });
    const invalid = await gql(gateway, `{ offers(first: 1) { nope } }`);
    expect(invalid.errors?.[0]?.message).toContain('nope');
  });

  test('gateway health and readiness', async () => {
    expect((await fetch(`${gateway}/healthcheck`)).status).toBe(200);
    expect((await fetch(`${gateway}/readiness`)).status).toBe(200);
  });
});
