import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { register } from 'prom-client';
import { parseConfig } from '../kit/config';
import { connectDatabase, describeConnectionError, migrateDatabase } from '../kit/db';
import { createLogger, type Logger } from '../kit/log';
import type { RunningService } from '../kit/service';
import { collectProcessMetrics, flushTracing, startTracing, traceRequest, tracingEnv } from '../kit/telemetry';
import { tables } from './db/schema';
import { createAccess } from './access';
import { createRegistryApp } from './api';
import { createStore } from './store';
import { createWebhooks, type RetryPolicy } from './webhooks';

export interface RegistryOptions {
  port?: number;
  databaseUrl: string;
  /** Admin token for writes; without it the registry runs open (development only). */
  adminToken?: string;
  /** Targets created at start if missing (the launcher's and gateway's default is `main`). */
  targets?: string[];
  webhookRetry?: RetryPolicy;
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
  if (!options.adminToken) logger.warn('REGISTRY_TOKEN is not set: the registry is open to anyone who can reach it');
  const store = createStore(database.db);
  for (const target of options.targets ?? ['main']) await store.createTarget(target);
  const webhooks = createWebhooks(database.db, logger, options.webhookRetry);
  const resumed = await webhooks.resume();
  if (resumed) logger.info({ deliveries: resumed }, 'resuming pending webhook deliveries');
  const app = createRegistryApp({
    store,
    access: createAccess(database.db, options.adminToken),
    webhooks,
    logger,
    ready: async () => {
      await database.db.execute(sql`select 1`);
      return true;
    },
  });
  startTracing('registry', parseConfig(tracingEnv), logger);
  collectProcessMetrics();
  const server = Bun.serve({
    port: options.port ?? 4010,
    hostname: '0.0.0.0',
    fetch: (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/metrics') return register.metrics().then((text) => new Response(text, { headers: { 'content-type': register.contentType } }));
      // Probes stay out of traces; every API call is a server span with its SQL beneath it.
      return path === '/healthcheck' || path === '/readiness' ? app.fetch(request) : traceRequest(request, () => app.fetch(request));
    },
  });
  return {
    name: 'registry',
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      await server.stop();
      await webhooks.drain();
      await database.close();
      await flushTracing();
    },
  };
}
