import { beforeAll, expect, test } from 'bun:test';
import { SUBGRAPH_NAMES } from '../../subgraphs';
import { errorCodes, gql } from '../support/graphql';
import { getSystem } from '../support/system';

// The launcher generates GATEWAY_HMAC_SECRET like its other secrets and hands it to the gateway
// and every subgraph: a subgraph then only serves what the gateway signed, so a caller who can
// reach its port still has to come through the gateway's checks.
let system: Awaited<ReturnType<typeof getSystem>>;

beforeAll(async () => {
  system = await getSystem();
}, 180_000);

test('every subgraph refuses an unsigned request; the same data comes through the gateway', async () => {
  for (const name of SUBGRAPH_NAMES) {
    const direct = await gql(system.subgraphUrls[name], '{ __typename }');
    expect(direct.status, name).toBe(401);
    expect(errorCodes(direct), name).toEqual(['GATEWAY_SIGNATURE_REQUIRED']);
  }
  const through = await gql(system.gatewayUrl, '{ offers(first: 1) { totalCount edges { node { model { make { name } } } } } }');
  expect(through.errors).toBeUndefined();
  expect(through.data.offers.totalCount).toBeGreaterThan(0);
});
