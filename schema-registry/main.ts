import { loadConfigOrExit } from '../kit/config';
import { createLogger } from '../kit/log';
import { runService } from '../kit/service';
import { registryEnv } from './config';
import { startRegistry } from './server';

const { logLevel, ...options } = loadConfigOrExit('registry', registryEnv);
const logger = createLogger('registry', logLevel);
await runService('registry', () => startRegistry({ ...options, logger }), logger);
