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
export function useMetrics(options: MetricsOptions): GatewayPlugin {
  return usePrometheus({
    log: options.log,
    registry: options.metrics.registry,
    endpoint: options.endpoint ?? DEFAULT_METRICS_ENDPOINT,
    metrics: { ...GATEWAY_METRICS },
    labels: { url: false, path: false, operationName: options.operationNames ?? true },
  });
}
