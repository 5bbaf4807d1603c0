import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startTestGateway, stopTestGateways } from '../../gateway/tests/harness';
import { gql } from '../support/graphql';
import { getSystem } from '../support/system';

// `bun start` defines the `public` contract; a gateway with REGISTRY_CONTRACT=public serves it.
let system: Awaited<ReturnType<typeof getSystem>>;

beforeAll(async () => {
  system = await getSystem();
}, 180_000);

afterAll(() => stopTestGateways());

const fieldsOf = async (url: string, type: string): Promise<string[]> =>
  ((await gql(url, `{ __type(name: "${type}") { fields { name } } }`)).data.__type?.fields ?? []).map(
    (f: { name: string }) => f.name,
  );

test('the system starts with a public contract; a gateway serving it hides internal fields and serves data', async () => {
  const contract = await startTestGateway({ REGISTRY_CONTRACT: 'public' });
  expect(await fieldsOf(system.gatewayUrl, 'Viewer')).toContain('roles');
  expect(await fieldsOf(contract.url, 'Viewer')).not.toContain('roles');
  expect(await fieldsOf(contract.url, 'Viewer')).toContain('email');
  expect(await fieldsOf(system.gatewayUrl, 'Mutation')).toContain('updateMake');
  const mutations = await fieldsOf(contract.url, 'Mutation');
  expect(mutations).toContain('createOffer');
  for (const internal of ['updateMake', 'updateModel', 'approveDealerApplication', 'rejectDealerApplication'])
    expect(mutations).not.toContain(internal);
  const offers = await gql(contract.url, '{ offers(first: 2) { edges { node { title model { name } } } } }');
  expect(offers.errors).toBeUndefined();
  expect(offers.data.offers.edges.length).toBe(2);
});
