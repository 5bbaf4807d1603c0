import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { register } from 'prom-client';
import { DEFAULT_HOST, parseConfig } from '../kit/config';
import { connectDatabase, describeConnectionError, migrateDatabase } from '../kit/db';
import { allowedHosts as readAllowedHosts, ANY_HOST, type HostAllowList, type LookupAll } from '../kit/host-allow-list';
import { createLogger, type Logger } from '../kit/log';
import { metricsAccess, type MetricsAccessOptions } from '../kit/metrics-access';
import { localUrl, withAbsoluteUrl, type RunningService } from '../kit/service';
import { collectProcessMetrics, flushTracing, startTracing, traceRequest, tracingEnv } from '../kit/telemetry';
import { tables } from './db/schema';
import { createAccess } from './access';
import { createRegistryApp } from './api';
import { createConsole, createSessions } from './console';
import { DEFAULT_SCHEMA_LIMITS, type SchemaLimits } from './limits';
import { startUsageRetention } from './retention';
import { createStore } from './store';
import { createWebhooks, type RetryPolicy } from './webhooks';

export interface RegistryOptions {
  /** Address to listen on (HOST); default loopback. */
  hostname?: string;
  port?: number;
  databaseUrl: string;
  /** Admin token for writes; without it the registry runs open (development only). */
  adminToken?: string;
  /** Targets created at start if missing (the launcher's and gateway's default is `main`). */
  targets?: string[];
  /** Default: DEFAULT_SCHEMA_LIMITS. */
  limits?: SchemaLimits;
  /** Where routing and webhook URLs may point. Default: any host (never link-local or metadata); `readRegistryEnv` narrows it in production. */
  allowedSubgraphHosts?: HostAllowList;
  allowedWebhookHosts?: HostAllowList;
  webhookRetry?: RetryPolicy;
  /** Stands in for DNS when webhooks resolve their host (tests). */
  lookupHost?: LookupAll;
  logger?: Logger;
  /**
   * Seals the console's session cookies (CONSOLE_SESSION_SECRET). Default: derived from the admin
   * token; without either, a random one per process (sessions end when it restarts).
   */
  consoleSessionSecret?: string;
  /** How often usage older than the longest usage window is deleted (REGISTRY_USAGE_RETENTION_INTERVAL_MS). */
  usageRetentionIntervalMs?: number;
  /** How often pending webhook deliveries a stopped replica held are taken over (REGISTRY_WEBHOOK_SWEEP_MS). */
  webhookSweepMs?: number;
  /** Who may read /metrics (METRICS_TOKEN). Default: anyone who reaches the port. */
  metrics?: Omit<MetricsAccessOptions, 'endpoint'>;
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
  const limits = options.limits ?? DEFAULT_SCHEMA_LIMITS;
  const allowedHosts = {
    subgraphs: options.allowedSubgraphHosts ?? readAllowedHosts(undefined, ANY_HOST),
    webhooks: options.allowedWebhookHosts ?? readAllowedHosts(undefined, ANY_HOST),
  };
  logger.info(
    { limits, subgraphHosts: allowedHosts.subgraphs.entries, webhookHosts: allowedHosts.webhooks.entries },
    'input limits and allowed URL hosts',
  );
  const store = createStore(database.db, limits);
  for (const target of options.targets ?? ['main']) await store.createTarget(target);
  const webhooks = createWebhooks(database.db, logger, {
    retry: options.webhookRetry,
    allowedHosts: allowedHosts.webhooks,
    lookup: options.lookupHost,
    sweepMs: options.webhookSweepMs,
  });
  const resumed = await webhooks.resume();
  if (resumed) logger.info({ deliveries: resumed }, 'resuming pending webhook deliveries');
  const access = createAccess(database.db, options.adminToken);
  webhooks.sweep();
  const retention = startUsageRetention(database.db, logger, options.usageRetentionIntervalMs);
  const app = createRegistryApp({
    store,
    access,
    webhooks,
    logger,
    limits,
    allowedHosts,
    ready: async () => {
      await database.db.execute(sql`select 1`);
      return true;
    },
  });
  const sessionSecret = options.consoleSessionSecret ?? options.adminToken ?? randomBytes(32).toString('base64url');
  const consoleApp = createConsole({
    store,
    access,
    webhooks,
    logger,
    limits,
    sessions: createSessions(sessionSecret),
  });
  startTracing('registry', parseConfig(tracingEnv), logger);
  collectProcessMetrics();
  const hostname = options.hostname ?? DEFAULT_HOST;
  const guardMetrics = metricsAccess({ endpoint: '/metrics', ...(options.metrics ?? { token: null, served: true }) });
  const server = Bun.serve({
    port: options.port ?? 4010,
    hostname,
    // Whatever escapes the API's own handler (app.onError) still answers its JSON error, never a stack page.
    development: false,
    error(error) {
      logger.error({ err: error }, 'registry request failed outside the API');
      return Response.json(
        { error: { code: 'INTERNAL', message: 'Internal error; see the registry logs' } },
        { status: 500 },
      );
    },
    fetch: (received) => {
      const request = withAbsoluteUrl(received);
      const path = new URL(request.url).pathname;
      if (path === '/metrics')
        return (
          guardMetrics(request) ??
          register.metrics().then((text) => new Response(text, { headers: { 'content-type': register.contentType } }))
        );
      // Probes stay out of traces; every API call and console page is a server span with its SQL beneath it.
      if (path === '/healthcheck' || path === '/readiness') return app.fetch(request);
      const shell = path === '/console' || path.startsWith('/console/') ? consoleApp : app;
      return traceRequest(request, () => shell.fetch(request));
    },
  });
  return {
    name: 'registry',
    url: localUrl(hostname, server.port!),
    async stop() {
      await server.stop();
      await retention.stop();
      await webhooks.drain();
      await database.close();
      await flushTracing();
    },
  };
}
