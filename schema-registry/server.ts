import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { connectDatabase, describeConnectionError, migrateDatabase } from '../kit/db';
import { createLogger, type Logger } from '../kit/log';
import type { RunningService } from '../kit/service';
import { tables } from './db/schema';
import { createRegistryApp } from './routes';
import { createStore } from './store';

export interface RegistryOptions {
  port?: number;
  databaseUrl: string;
  /** Admin token for writes; without it the registry runs open (development only). */
  adminToken?: string;
  logger?: Logger;
}

export async function startRegistry(options: RegistryOptions): Promise<RunningService> {
  const logger = options.logger ?? createLogger('registry');
  try {
    await migrateDatabase(options.databaseUrl, 'registry', fileURLToPath(new URL('./drizzle', import.meta.url)));
  } catch (error) {
    throw new Error(describeConnectionError(options.databaseUrl, error), { cause: error });
  }
  const database = connectDatabase({ url: options.databaseUrl, service: 'registry', max: 3 }, tables);
  if (!options.adminToken) logger.warn('REGISTRY_TOKEN is not set: registry writes are open to anyone who can reach it');
  const app = createRegistryApp({
    store: createStore(database.db),
    adminToken: options.adminToken,
    logger,
    ready: async () => {
      await database.db.execute(sql`select 1`);
      return true;
    },
  });
  const server = Bun.serve({ port: options.port ?? 4010, hostname: '0.0.0.0', fetch: app.fetch });
  return {
    name: 'registry',
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      await server.stop();
      await database.close();
    },
  };
}
