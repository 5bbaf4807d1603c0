import { expect, test } from 'bun:test';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { SUBGRAPH_NAMES, subgraphs } from '..';
import { compose, composeContract } from '../../schema-registry/compose';
import { printSubgraphSdl } from '../framework/sdl';

// The `public` contract `bun start` defines (everything not tagged internal), from the real subgraphs.
const INTERNAL = [
  'Viewer.roles',
  'Mutation.approveDealerApplication',
  'Mutation.rejectDealerApplication',
  'Query.dealerApplications',
  'Mutation.updateMake',
  'Mutation.updateModel',
];

const has = (sdl: string, coordinate: string) => {
  const [type, field] = coordinate.split('.');
  const object = buildSchema(sdl).getType(type!) as GraphQLObjectType | undefined;
  return Boolean(object?.getFields()[field!]);
};

test('the public contract composes and hides the internal fields; the full API keeps them', async () => {
  const list = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => ({
      name,
      url: `http://${name}.invalid/graphql`,
      sdl: printSubgraphSdl((await subgraphs[name]()).schema),
    })),
  );
  const full = compose(list);
  const contract = composeContract(list, { includeTags: [], excludeTags: ['internal'], removeUnreachableTypes: true });
  if (!full.ok || !contract.ok) throw new Error(JSON.stringify(full.ok ? contract : full));
  for (const coordinate of INTERNAL) {
    expect(has(full.apiSdl, coordinate)).toBe(true);
    expect(has(contract.apiSdl, coordinate)).toBe(false);
  }
  // Unreachable once roles are gone: the enum is hidden too. Public fields stay.
  expect(buildSchema(contract.apiSdl).getType('Role')).toBeUndefined();
  for (const coordinate of ['Query.offers', 'Query.me', 'Viewer.email', 'Mutation.createOffer', 'Mutation.login'])
    expect(has(contract.apiSdl, coordinate)).toBe(true);
});
