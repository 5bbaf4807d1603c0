import { z } from 'zod';
import { env, loadConfigOrExit } from '../kit/config';
import { createLogger } from '../kit/log';
import { runService } from '../kit/service';
import { targetName } from './names';
import { startRegistry } from './server';

const config = loadConfigOrExit(
  'registry',
  z.object({
    REGISTRY_PORT: env.port(4010),
    DATABASE_URL: env.postgresUrl(),
    REGISTRY_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
    /** Targets that exist from the start (comma-separated); more with `autograph target:create`. */
    REGISTRY_TARGETS: z
      .string()
      .default('main')
      .transform((list) => list.split(',').map((t) => t.trim()).filter(Boolean))
      .pipe(z.array(targetName)),
    LOG_LEVEL: env.logLevel(),
  }),
);
const logger = createLogger('registry', config.LOG_LEVEL);
await runService(
  'registry',
  () => startRegistry({ port: config.REGISTRY_PORT, databaseUrl: config.DATABASE_URL, adminToken: config.REGISTRY_TOKEN, targets: config.REGISTRY_TARGETS, logger }),
  logger,
);
