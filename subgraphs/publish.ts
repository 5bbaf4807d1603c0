/**
 * Publishes subgraph SDLs to the schema registry:
 *   bun subgraphs/publish.ts <name> <routing-url>
 * REGISTRY_URL, REGISTRY_TOKEN and REGISTRY_TARGET come from the environment. Exit codes: 0 published
 * (or unchanged), 1 rejected by the registry, 2 usage error.
 */
import { publishSubgraph } from '../schema-registry/client';
import { isSubgraphName, SUBGRAPH_NAMES, subgraphs } from '.';
import { printSubgraphSdl } from './framework/sdl';
import type { SubgraphName } from './framework/subgraph-config';

export async function publishSubgraphSchema(options: {
  name: SubgraphName;
  url: string;
  registryUrl: string;
  token?: string;
  target?: string;
  author?: string;
  force?: boolean;
}) {
  const sdl = printSubgraphSdl((await subgraphs[options.name]()).schema);
  return publishSubgraph({ ...options, sdl });
}

if (import.meta.main) {
  const [name, url] = process.argv.slice(2);
  if (!isSubgraphName(name) || !url || !/^https?:\/\//.test(url)) {
    console.error(`usage: bun subgraphs/publish.ts <${SUBGRAPH_NAMES.join('|')}> <routing-url>`);
    process.exit(2);
  }
  try {
    const result = await publishSubgraphSchema({
      name,
      url,
      registryUrl: process.env.REGISTRY_URL ?? 'http://127.0.0.1:4010',
      token: process.env.REGISTRY_TOKEN,
      target: process.env.REGISTRY_TARGET,
      author: process.env.USER,
    });
    console.log(`${name}: ${result.changed ? `published, supergraph version ${result.version}` : 'unchanged'}`);
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    process.exit(1);
  }
}
