import { beforeAll, expect, test } from 'bun:test';
import { printSubgraphSdl } from '../../subgraphs/framework/sdl';
import { subgraphs } from '../../subgraphs';
import { publishSubgraph } from '../../schema-registry/client';
import { eventually, gql } from '../support/graphql';
import { getSystem } from '../support/system';

let system: Awaited<ReturnType<typeof getSystem>>;

beforeAll(async () => {
  system = await getSystem();
}, 180_000);

const makeFields = async () =>
  (await gql(system.gatewayUrl, `{ __type(name: "Make") { fields { name } } }`)).data.__type.fields.map(
    (f: any) => f.name,
  );

test('a publish that changes a subgraph schema reaches the gateway without a restart', async () => {
  const original = printSubgraphSdl((await subgraphs.catalog()).schema);
  const changed = original.replace(
    /type Make\s*@key\(fields: "id"\)\s*\{/,
    (head) => `${head}\n  "Published by the schema-change test"\n  slogan: String`,
  );
  expect(changed).not.toBe(original);
  expect(await makeFields()).not.toContain('slogan');

  const publish = (sdl: string) =>
    publishSubgraph({
      registryUrl: system.registryUrl,
      token: system.registryToken,
      target: 'main',
      name: 'catalog',
      url: `${system.subgraphUrls.catalog}/graphql`,
      sdl,
      author: 'e2e',
      force: true, // restoring the original removes the added field: a breaking change on purpose
    });

  await publish(changed);
  try {
    await eventually(async () => (await makeFields()).includes('slogan'), 10_000, 200);
  } finally {
    await publish(original);
  }
  await eventually(async () => !(await makeFields()).includes('slogan'), 10_000, 200);
});
