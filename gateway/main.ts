import { loadConfigOrExit } from '../kit/config';
import { createLogger } from '../kit/log';
import { runService } from '../kit/service';
import { gatewayEnvSchema } from './config';
import { startGateway } from './server';

const options = loadConfigOrExit('gateway', gatewayEnvSchema);
const logger = createLogger('gateway', options.logLevel);
await runService('gateway', () => startGateway(options, logger), logger);
