/** Prints a subgraph's SDL, as published to the registry: `bun subgraphs/print-sdl.ts <name>`. */
import { isSubgraphName, SUBGRAPH_NAMES, subgraphs } from '.';
import { printSubgraphSdl } from './framework';

const name = process.argv[2];
if (!isSubgraphName(name)) {
  console.error(`usage: bun subgraphs/print-sdl.ts <${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}
process.stdout.write(printSubgraphSdl((await subgraphs[name]()).schema));
