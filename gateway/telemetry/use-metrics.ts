import { usePrometheus, type GatewayPlugin, type Logger as HiveLogger } from '@graphql-hive/gateway';
import type { GatewayMetrics } from '../metrics';

export const DEFAULT_METRICS_ENDPOINT = '/metrics';

/**
 * What the gateway measures (Hive Gateway's Prometheus plugin, standard metric names so stock
 * dashboards work): requests, durations and errors per operation, GraphQL phases, HTTP status
 * (rejections by rate limits or auth never reach execution), subgraph calls and upstream fetches.
 * Left out: the request summary (the histogram answers the same question, a summary costs a
 * quantile sketch per label set), deprecated-field counts (usage reporting to the registry
 * already records every field an operation uses), and parse/validate/context phase histograms:
 * those phases are cached and take microseconds, while three histogram observations per request
 * cost measurable throughput (perf/results/profile-offer-list-2hop.md).
 */
export const GATEWAY_METRICS = {
  graphql_envelop_request: true,
  graphql_envelop_request_duration: true,
  graphql_envelop_request_time_summary: false,
  graphql_envelop_phase_parse: false,
  graphql_envelop_phase_validate: false,
  graphql_envelop_phase_context: false,
  graphql_envelop_phase_execute: true,
  graphql_envelop_phase_subscribe: true,
  graphql_envelop_error_result: true,
  graphql_envelop_deprecated_field: false,
  graphql_envelop_schema_change: true,
  graphql_envelop_execute_resolver: false,
  graphql_yoga_http_duration: true,
  graphql_gateway_fetch_duration: true,
  graphql_gateway_subgraph_execute_duration: true,
  graphql_gateway_subgraph_execute_errors: true,
} as const;

export interface MetricsOptions {
  log: HiveLogger;
  /** The gateway's metrics: Hive's are registered beside the other concerns', and the endpoint serves them all. */
  metrics: GatewayMetrics;
  /** Where Prometheus scrapes. */
  endpoint?: string;
  /** The GraphQL endpoint whose answers are counted by status (default `/graphql`). */
  graphqlEndpoint?: string;
  /**
   * Label series with the operation name (default true). Names are chosen by clients: where
   * clients are not held to known documents, an attacker can mint a series per request, so this
   * can be turned off (METRICS_OPERATION_NAMES=off) to keep only the operation type.
   */
  operationNames?: boolean;
}

/**
 * Prometheus metrics in the gateway's own registry (gateway/metrics.ts), so everything else the
 * gateway measures (cache, rate limits, breakers; process and event-loop metrics) is served on the
 * same endpoint, and two gateways in one process count apart. Hive's plugin clears that registry
 * when its gateway is disposed, which only ends that gateway's metrics. Labels stay bounded: no
 * request URL (GET queries would put documents in it), no error path (list indices), no headers.
 */
export function useMetrics(options: MetricsOptions): GatewayPlugin[] {
  const endpoint = options.endpoint ?? DEFAULT_METRICS_ENDPOINT;
  const graphqlEndpoint = options.graphqlEndpoint ?? '/graphql';
  const prometheus = usePrometheus({
    log: options.log,
    registry: options.metrics.registry,
    endpoint,
    metrics: { ...GATEWAY_METRICS },
    labels: { url: false, path: false, operationName: options.operationNames ?? true },
  });
  // Yoga's HTTP histogram observes only requests whose document was parsed: everything answered
  // before that (a 429 from the request budget, a 413, a 401 from the JWT check, an early cache
  // hit) would be counted nowhere. This counts every answer of the GraphQL endpoint by status.
  const responses = options.metrics.counter({
    name: 'autograph_gateway_http_responses_total',
    help: 'Answers of the GraphQL endpoint by HTTP status, those given before any GraphQL processing (rejections, early cache hits) included',
    labelNames: ['status'],
  });
  const byStatus = new Map<number, { inc(): void }>();
  const countResponses: GatewayPlugin = {
    onResponse({ request, response }) {
      if (!request.url.includes(graphqlEndpoint) || new URL(request.url).pathname !== graphqlEndpoint) return;
      let counter = byStatus.get(response.status);
      if (!counter) byStatus.set(response.status, (counter = responses.labels({ status: String(response.status) })));
      counter.inc();
    },
  };
  // Two plugins, not one adding the other: Hive reads subgraph hooks only from the plugins it is given.
  return [prometheus, countResponses];
}
