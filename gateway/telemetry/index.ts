import { z } from 'zod';
import { flushTracing, startTracing, tracingEnvShape, tracingOptionsFrom } from '../../kit/telemetry';
import { metricsAccess, metricsAccessFromEnv, metricsTokenEnv } from '../../kit/metrics-access';
import { DEFAULT_METRICS_ENDPOINT, useMetrics } from './use-metrics';
import { useTracing } from './use-tracing';
import { useUsageReporting } from './use-usage-reporting';
import { useSubscriptionMetrics } from './use-subscription-metrics';
import { hiveLoggerFrom } from './hive-logger';
import type { ChainDeps, ChainPart } from '../concern';

/** /metrics, before the runtime: the access guard, then this gateway's registry in Prometheus' text format. */
function serveMetrics(deps: ChainDeps, access: { token: string | null; served: boolean }) {
  const guard = metricsAccess({ endpoint: DEFAULT_METRICS_ENDPOINT, ...access });
  const registry = deps.metrics.registry;
  // Every request passes here: one substring check, the URL parsed only for /metrics itself.
  return (request: Request): Response | Promise<Response> | null => {
    const url = request.url;
    if (!url.includes(DEFAULT_METRICS_ENDPOINT) || new URL(url).pathname !== DEFAULT_METRICS_ENDPOINT) return null;
    return (
      guard(request) ??
      registry.metrics().then((text) => new Response(text, { headers: { 'content-type': registry.contentType } }))
    );
  };
}

const onOff = z.enum(['on', 'off']);

/** Environment of the telemetry concern (metrics, traces, logs, usage reporting). */
export const telemetryEnv = z
  .object({
    /** Prometheus /metrics: per-operation requests, durations, errors, subgraph calls, process metrics. */
    METRICS: onOff.default('on'),
    /**
     * Label metrics with operation names. They are client-chosen: a client can mint a series per
     * request. Unset: on outside production, off in production (turn on where clients are held to
     * trusted documents).
     */
    METRICS_OPERATION_NAMES: onOff.optional(),
    ...metricsTokenEnv,
    NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
    /** Traces: OTEL_EXPORTER_OTLP_ENDPOINT set turns them on; OTEL_TRACES_SAMPLER_ARG samples. */
    ...tracingEnvShape,
    /** Report which schema coordinates operations use to the registry (for usage-aware checks). */
    USAGE_REPORTING: onOff.default('on'),
    USAGE_SAMPLE_RATE: z.coerce.number().gt(0, 'must be above 0').max(1, 'must be at most 1').default(1),
    USAGE_FLUSH_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
    SUPERGRAPH_FILE: z.string().optional(),
  })
  .transform((raw) => ({
    metrics: {
      enabled: raw.METRICS === 'on',
      operationNames: (raw.METRICS_OPERATION_NAMES ?? (raw.NODE_ENV === 'production' ? 'off' : 'on')) === 'on',
      ...metricsAccessFromEnv(raw),
    },
    tracing: tracingOptionsFrom(raw),
    // Usage goes to the registry the supergraph comes from; a file-fed gateway reports nowhere.
    usage: {
      enabled: raw.USAGE_REPORTING === 'on' && !raw.SUPERGRAPH_FILE,
      sampleRate: raw.USAGE_SAMPLE_RATE,
      flushIntervalMs: raw.USAGE_FLUSH_INTERVAL_MS,
    },
  }));
export type TelemetryOptions = z.infer<typeof telemetryEnv>;

/**
 * First in the chain, so it sees every request, rejected ones too: spans around everything,
 * metrics of every outcome, then usage reporting. Each part has its own switch; with all off
 * the gateway runs no telemetry code per request.
 */
export function telemetry(options: TelemetryOptions, deps: ChainDeps): ChainPart {
  const log = hiveLoggerFrom(deps.logger);
  // One tracer provider per process: registered here, before the runtime creates its plugins.
  const tracing = startTracing('gateway', options.tracing, deps.logger);
  const usage = options.usage.enabled
    ? useUsageReporting({ registry: deps.registry, ...options.usage, logger: deps.logger })
    : null;
  // Responses served before the runtime (the response cache's fast path) are usage too.
  if (usage) deps.fastPathHits.add((request, params) => usage.observe(request, params));
  return {
    name: 'telemetry',
    plugins: () => [
      ...(tracing ? [useTracing({ log })] : []),
      ...(options.metrics.enabled
        ? [
            ...useMetrics({ metrics: deps.metrics, operationNames: options.metrics.operationNames }),
            useSubscriptionMetrics({ metrics: deps.metrics }),
          ]
        : []),
      ...(usage ? [usage] : []),
    ],
    fastPath: options.metrics.enabled ? serveMetrics(deps, options.metrics) : undefined,
    dispose: flushTracing,
  };
}
