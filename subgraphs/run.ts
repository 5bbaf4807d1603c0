/** Runs one subgraph: `bun subgraphs/run.ts <name>` (configuration from the environment). */
import { createLogger } from '../kit/log';
import { runService } from '../kit/service';
import { isSubgraphName, SUBGRAPH_NAMES, subgraphs } from '.';
import { loadSubgraphConfig, startSubgraph } from './framework';

const name = process.argv[2];
if (!isSubgraphName(name)) {
  console.error(`usage: bun subgraphs/run.ts <${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}
const config = loadSubgraphConfig(name);
const logger = createLogger(name, config.logLevel);
await runService(name, async () => startSubgraph(await subgraphs[name](), config, { logger }), logger);
