import type { GatewayPlugin, Logger as HiveLogger } from '@graphql-hive/gateway';
import { useOpenTelemetry } from '@graphql-hive/plugin-opentelemetry';

/** Probes and scrapes get no spans: a trace per health check would drown the ones that matter. */
export const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/healthcheck', '/readiness', '/metrics']);

export interface TracingPluginOptions {
  log: HiveLogger;
  untracedPaths?: ReadonlySet<string>;
}

/**
 * Hive Gateway's OpenTelemetry spans (http → graphql.operation → parse/validate/execute →
 * subgraph.execute → http.fetch), continuing the client's `traceparent` and sending one to each
 * subgraph, so subgraph and SQL spans join the same trace. Spans go to the process's tracer
 * provider, which kit/telemetry's startTracing registers (with the AsyncLocalStorage context
 * manager the plugin needs for parenting across awaits).
 */
export function useTracing(options: TracingPluginOptions): GatewayPlugin {
  const untraced = options.untracedPaths ?? UNTRACED_PATHS;
  return useOpenTelemetry({
    log: options.log,
    inheritContext: true,
    propagateContext: true,
    traces: { spans: { http: ({ request }) => !untraced.has(new URL(request.url).pathname) } },
  });
}
