import { parseArgs } from 'node:util';
import { ConfigError } from '../kit/config';
import { createLogger } from '../kit/log';
import { runService } from '../kit/service';
import { readGatewayEnv, type GatewayOptions } from './config';
import { warnOnFetchSlots } from './fetch-slots';

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
const { worker, count } = options.workers;
const logger = createLogger('gateway', options.logLevel);
if (!worker) warnOnFetchSlots(process.env, logger);
if (count > 1 && !worker) {
  // GATEWAY_WORKERS=N: this process supervises N workers (this same entry point) and serves nothing itself.
  const { runPrimary } = await import('./workers/primary');
  await runPrimary(options, logger);
} else {
  const { startGateway } = await import('./server');
  const log = worker ? logger.child({ worker: worker.index }) : logger;
  await runService('gateway', () => startGateway(options, log), log);
}
