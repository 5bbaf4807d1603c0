import type { GraphQLSchema } from 'graphql';
import { sql as rawSql } from 'drizzle-orm';
import { connectDatabase, describeConnectionError, migrateDatabase, type Database } from '../../kit/db';
import { createLogger, type Logger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createGatewaySignatureGate, createTokenVerifier, remoteKeys } from './auth';
import type { SubgraphConfig, SubgraphName } from './subgraph-config';
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
  try {
    await migrateDatabase(config.databaseUrl, module.name, module.migrationsFolder);
  } catch (error) {
    throw new Error(describeConnectionError(config.databaseUrl, error), { cause: error });
  }
  const database = connectDatabase(
    { url: config.databaseUrl, service: module.name, max: config.poolMax, replicaUrls: config.replicaUrls },
    module.tables,
  );
  const runtime = await module.setup({ config, database, logger });
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
      await runtime.onStop?.();
      await database.close();
    },
  });
  return service;
}
