import type { GatewayConfig, GatewayPlugin } from '@graphql-hive/gateway';
import type { Redis } from 'ioredis';
import type { Logger } from '../kit/log';
import type { RegistryClient } from '../schema-registry/client';
import type { GatewayMetrics } from './metrics';

/** What every concern of the chain may use: the logger, the gateway's metrics, the shared Redis, the registry. */
export interface ChainDeps {
  logger: Logger;
  /** This gateway's metrics: each concern creates its own in it when it is built (its /metrics serves them). */
  metrics: GatewayMetrics;
  /** The gateway's Redis connection (ioredis), or null when REDIS_URL is unset (single replica). */
  redis: Redis | null;
  /** Prefix for every key this gateway writes, so several deployments (and tests) share one Redis. */
  redisKeyPrefix: string;
  /** The registry the supergraph comes from (usage reports and trusted documents go there too). */
  registry: RegistryClient;
  /** NODE_ENV=production: introspection, suggestions and error details are off. */
  production: boolean;
  /**
   * Told of each request answered before the gateway runtime (the response cache's fast path):
   * no plugin hook sees those, yet usage reporting must count them.
   */
  fastPathHits: Set<(request: Request, params: Record<string, unknown>) => void>;
}

/**
 * One concern of the production chain (caching, rate limits, resilience, security, telemetry):
 * the Hive Gateway settings it owns, the plugins it adds, readiness it contributes and what to
 * release on shutdown. `gateway/chain.ts` merges the parts in a fixed order.
 */
export interface ChainPart {
  name: string;
  /** Top-level Hive Gateway options this concern owns (e.g. responseCaching, upstreamTimeout). */
  config?: Partial<GatewayConfig<Record<string, any>>>;
  /** Plugins, in the order they must run within this concern. */
  plugins?: () => GatewayPlugin<any>[];
  /** Answers a request before the gateway runtime sees it, or returns null (gateway/server.ts). */
  fastPath?: (request: Request) => Response | Promise<Response | null> | null;
  /** False while this concern cannot serve (reported by /readiness). */
  ready?: () => boolean | Promise<boolean>;
  /** Releases timers, connections and subscriptions after the HTTP server stopped. */
  dispose?: () => Promise<void>;
}
