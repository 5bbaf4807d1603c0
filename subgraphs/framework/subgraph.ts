import type { GraphQLSchema } from 'graphql';
import { sql as rawSql } from 'drizzle-orm';
import { connectDatabase, describeConnectionError, migrateDatabase, type Database } from '../../kit/db';
import { surviveDriverConnectionLoss } from '../../kit/db-errors';
import { createLogger, type Logger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createGatewaySignatureGate, createTokenVerifier, remoteKeys } from './auth';
import { DEFAULT_USERS_URL, type SubgraphConfig, type SubgraphName } from './subgraph-config';
import { readPrivacyConfig, type RetentionSettings } from './privacy/config';
import type { AuditLogTable } from './privacy/audit-table';
import { purgeAuditLog, scheduleRetention } from './privacy/retention';
import { startErasureWorker, type ErasureTask } from './privacy/erasure';
import type { BaseContext, Viewer } from './context';
import type { PrincipalDirectory } from './principals';
import { serveSubgraph, type RouteHandler } from './server';

interface SubgraphRuntime<Ctx extends BaseContext> {
  /** Adds the subgraph's dependencies (db, loaders' inputs, queues) to the request context. */
  context: (base: BaseContext) => Ctx;
  routes?: Record<string, RouteHandler>;
  /** Overrides token verification (users verifies with its own keys instead of fetching its JWKS). */
  viewerFrom?: (request: Request) => Promise<Viewer | null>;
  /**
   * Whether the account behind a signed-in write still exists and is active: the users client
   * (subgraphs/users/client.ts) for peers. A subgraph without one refuses signed-in mutations.
   */
  principals?: PrincipalDirectory;
  onStop?: () => Promise<void>;
  /**
   * Erases or anonymises what this subgraph holds about an account, idempotently. Given, the
   * framework runs a worker that fetches this subgraph's pending erasures from users and applies
   * them (privacy/erasure.ts).
   */
  erase?: (task: ErasureTask) => Promise<void>;
  /**
   * This subgraph's own retention round besides its audit log (users: expired refresh tokens):
   * what it deleted, by kind. The framework schedules it with the audit purge (privacy/retention.ts).
   */
  purge?: (retention: RetentionSettings) => Promise<Record<string, number>>;
}

/** Everything the framework needs to run one subgraph; each subgraph exports one of these. */
export interface SubgraphModule<Ctx extends BaseContext, Tables extends Record<string, unknown>> {
  name: SubgraphName;
  schema: GraphQLSchema;
  tables: Tables;
  migrationsFolder: string;
  setup(input: { config: SubgraphConfig; database: Database<Tables>; logger: Logger }): Promise<SubgraphRuntime<Ctx>>;
}

export function defineSubgraph<Ctx extends BaseContext, Tables extends Record<string, unknown>>(
  module: SubgraphModule<Ctx, Tables>,
) {
  return module;
}

/** Migrates, connects, sets up and serves a subgraph. Start-up errors say what to fix. */
export async function startSubgraph<Ctx extends BaseContext, Tables extends Record<string, unknown>>(
  module: SubgraphModule<Ctx, Tables>,
  config: SubgraphConfig,
  options: { logger?: Logger; hostname?: string } = {},
): Promise<RunningService> {
  const logger = options.logger ?? createLogger(module.name, config.logLevel);
  surviveDriverConnectionLoss(logger);
  try {
    await migrateDatabase(config.databaseUrl, module.name, module.migrationsFolder);
  } catch (error) {
    throw new Error(describeConnectionError(config.databaseUrl, error), { cause: error });
  }
  const database = connectDatabase(
    {
      url: config.databaseUrl,
      service: module.name,
      max: config.poolMax,
      prepare: config.prepare,
      replicaUrls: config.replicaUrls,
      onReplicaChange: ({ replica, up, error }) =>
        up
          ? logger.info({ replica }, 'read replica answers again; reads go to it')
          : logger.warn(
              { replica, err: (error as Error)?.message },
              'read replica unreachable; its reads go elsewhere',
            ),
      onPrimaryChange: ({ up, error }) =>
        up
          ? logger.info('database primary answers again')
          : logger.warn(
              { err: (error as Error)?.message },
              'database primary unreachable; statements refused until it answers',
            ),
    },
    module.tables,
  );
  const runtime = await module.setup({ config, database, logger });
  const privacy = readPrivacyConfig();
  const erasures =
    runtime.erase && module.name !== 'users'
      ? startErasureWorker({
          service: module.name,
          usersUrl: config.usersUrl ?? DEFAULT_USERS_URL,
          token: privacy.internalToken,
          pollIntervalMs: privacy.erasurePollIntervalMs,
          erase: runtime.erase,
          logger,
        })
      : null;
  // Every subgraph's tables include its audit log (framework/privacy/audit-table.ts).
  const auditTable = (module.tables as Record<string, unknown>).auditLog as AuditLogTable | undefined;
  const retention = scheduleRetention({
    service: module.name,
    purge: async () => ({
      auditEntries: auditTable ? await purgeAuditLog(database.primary, auditTable, privacy.retention.auditDays) : 0,
      ...(await runtime.purge?.(privacy.retention)),
    }),
    intervalMs: privacy.retention.intervalMs,
    redis: config.redis,
    queuePrefix: privacy.queuePrefix,
    logger,
  });
  const verifyToken =
    runtime.viewerFrom ??
    createTokenVerifier({ keys: remoteKeys(config.jwksUrl), issuer: config.jwtIssuer, audience: config.jwtAudience });
  // GATEWAY_HMAC_SECRET set: only requests the gateway signed reach the schema.
  const gate = config.gatewayHmacSecret ? createGatewaySignatureGate(config.gatewayHmacSecret) : null;
  const service: ReturnType<typeof serveSubgraph<Ctx>> = serveSubgraph({
    name: module.name,
    schema: module.schema,
    port: config.port,
    hostname: options.hostname ?? config.host,
    logger,
    limits: config.limits,
    principals: runtime.principals,
    viewerFrom: gate ? gate.viewerFrom(verifyToken) : verifyToken,
    extendContext: runtime.context,
    routes: gate
      ? {
          ...runtime.routes,
          '/graphql': (request): Promise<Response> => gate.serve(request, (signed) => service.yoga.fetch(signed)),
        }
      : runtime.routes,
    ready: async () => {
      await database.db.execute(rawSql`select 1`);
      return true;
    },
    onStop: async () => {
      await erasures?.stop();
      await retention.stop();
      await runtime.onStop?.();
      await database.close();
    },
  });
  return service;
}
