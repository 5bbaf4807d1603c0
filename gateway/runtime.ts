import type { GatewayConfig } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { readFileSync } from 'node:fs';
import type { Logger } from '../kit/log';
import { createChain, mergeChain, type ChainPart } from './chain';
import type { GatewayOptions } from './config';
import { createRegistryClient } from '../schema-registry/client';
import { createGatewayMetrics, type GatewayMetrics } from './metrics';
import { connectGatewayRedis } from './redis';
import { useStreamShutdown } from './resilience/use-stream-shutdown';
import { createRegistrySupergraphSource, type SupergraphOrigin } from './supergraph-source';
import { hiveLoggerFrom } from './telemetry/hive-logger';

export interface Gateway {
  config: GatewayConfig<Record<string, any>>;
  parts: ChainPart[];
  /** This gateway's metrics (the registry its /metrics serves), for tools and in-process tests. */
  metrics: GatewayMetrics;
  /** Where the supergraph being served came from (the registry, the file kept on disk, SUPERGRAPH_FILE). */
  supergraphOrigin(): SupergraphOrigin | { from: 'file'; file: string };
  /** A response from a part's fast path, before the runtime; null: the runtime answers. */
  fastPath(request: Request): Response | Promise<Response | null> | null;
  /** Every part ready (Redis-backed parts degrade instead of turning unready). */
  ready(): Promise<{ ready: boolean; notReady: string[] }>;
  /** Ends every open subscription with SERVER_SHUTTING_DOWN; says how many. Call when stopping. */
  endSubscriptions(): number;
  /** Releases the chain's resources and the Redis connection; call after the server stopped. */
  dispose(): Promise<void>;
}

/**
 * The gateway's configuration, shared by our Bun server (gateway/server.ts) and
 * `gateway.config.ts` for the stock hive-gateway CLI: the supergraph source plus the production
 * chain (gateway/chain.ts), each concern configured from its own environment variables.
 */
export function createGateway(options: GatewayOptions, logger: Logger): Gateway {
  // Hive's own logger reads LOG_LEVEL too and throws on the pino levels it lacks (fatal, silent);
  // its output is switched off for those below (`logging: false`), so 'error' is only a placeholder.
  if (process.env.LOG_LEVEL === 'silent' || process.env.LOG_LEVEL === 'fatal') process.env.LOG_LEVEL = 'error';
  const registry = createRegistryClient({
    registryUrl: options.registry.url,
    target: options.registry.target,
    token: options.registry.token,
  });
  const registrySource = options.supergraphFile
    ? null
    : createRegistrySupergraphSource({
        registry,
        logger,
        cacheFile: options.supergraphCacheFile,
        contract: options.registry.contract,
      });
  const source = registrySource ? registrySource.load : () => readFileSync(options.supergraphFile!, 'utf8');
  const redis = options.redis.target ? connectGatewayRedis(options.redis.target, logger) : null;
  // Process metrics only where something serves them (METRICS=on): their collectors cost a little.
  const metrics = createGatewayMetrics({ processMetrics: options.telemetry.metrics.enabled });
  const parts = createChain(options, {
    logger,
    metrics,
    redis,
    redisKeyPrefix: options.redis.keyPrefix,
    registry,
    production: options.production,
    fastPathHits: new Set(),
  });
  const fastPaths = parts.flatMap((part) => (part.fastPath ? [part.fastPath] : []));
  const chain = mergeChain(parts);
  // Not a concern of the chain that could be switched off: a stopping server always needs it.
  const streams = useStreamShutdown();

  const config: GatewayConfig<Record<string, any>> = {
    supergraph: source,
    pollingInterval: options.pollIntervalMs,
    // The Rust query planner: about twice the throughput of the JS planner on this stack.
    unifiedGraphHandler,
    // In-flight requests finish on the old supergraph when a new one arrives.
    gracefulSchemaReload: { drainTimeout: 30_000 },
    // Hive's own log lines go through pino too: one JSON format, with trace ids.
    logging: hiveLoggerFrom(logger),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthcheck',
    readinessCheckEndpoint: '/readiness',
    landingPage: false,
    ...chain.config,
    plugins: () => [...chain.plugins(), streams.plugin],
  } as GatewayConfig<Record<string, any>>;

  return {
    config,
    parts,
    metrics,
    supergraphOrigin: () =>
      registrySource ? registrySource.origin() : { from: 'file', file: options.supergraphFile! },
    // The concerns' fast paths (telemetry's /metrics guard, caching's hits); null: "not mine", no promise.
    fastPath: (request) => {
      for (const answer of fastPaths) {
        const pending = answer(request);
        if (pending) return pending;
      }
      return null;
    },
    endSubscriptions: () => streams.endAll(),
    async ready() {
      const states = await Promise.all(
        parts.map(
          async (part) =>
            [part.name, part.ready ? await Promise.resolve(part.ready()).catch(() => false) : true] as const,
        ),
      );
      const notReady = states.filter(([, ok]) => !ok).map(([name]) => name);
      return { ready: notReady.length === 0, notReady };
    },
    async dispose() {
      for (const part of parts.toReversed())
        await part.dispose?.().catch((error) => logger.warn({ err: error, part: part.name }, 'error while disposing'));
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}
