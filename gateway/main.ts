import { parseArgs } from 'node:util';
import { ConfigError } from '../kit/config';
import { createLogger } from '../kit/log';
import { runService } from '../kit/service';
import { readGatewayEnv, type GatewayOptions } from './config';
import { startGateway } from './server';

// `bun gateway/main.ts --supergraph ./supergraph.graphql` runs the full chain on a file (same as SUPERGRAPH_FILE).
const { values: flags } = parseArgs({ options: { supergraph: { type: 'string' } }, strict: true });
let options: GatewayOptions;
try {
  options = readGatewayEnv(flags.supergraph ? { ...process.env, SUPERGRAPH_FILE: flags.supergraph } : process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`[gateway] ${error.message}`);
  process.exit(78);
}
const logger = createLogger('gateway', options.logLevel);
await runService('gateway', () => startGateway(options, logger), logger);
