import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type TextMapGetter,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { collectDefaultMetrics, register, type Registry } from 'prom-client';
import { z } from 'zod';
import packageJson from '../package.json';
import { env } from './config';
import type { Logger } from './log';
import { metricsAccessFromEnv, metricsTokenEnv } from './metrics-access';

/**
 * Telemetry shared by every Autograph service (gateway, subgraphs, registry): one OpenTelemetry
 * tracer provider per process exporting OTLP/HTTP, W3C trace context in and out; for the
 * subgraphs and the registry, process metrics in prom-client's default registry (each gateway
 * has a registry of its own: gateway/metrics.ts). Tracing costs next to nothing while no
 * endpoint is set: no provider is registered, so the OpenTelemetry API stays a no-op.
 */

/** The standard OpenTelemetry variables we honour, validated like the rest of the configuration. */
export const tracingEnvShape = {
  /** Collector base URL; traces go to `<endpoint>/v1/traces`. Unset: no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url().optional(),
  /** Full traces URL, when the collector is not at the standard path. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: env.url().optional(),
  /** Share of new traces recorded (0..1); a request that arrives with a trace context follows its caller's decision. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number()
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1')
    .default(1),
  OTEL_SDK_DISABLED: env.bool(false),
};

export interface TracingOptions {
  /** Where spans are sent (OTLP/HTTP JSON); undefined turns tracing off. */
  tracesUrl?: string;
  sampleRatio: number;
}

export function tracingOptionsFrom(raw: z.infer<z.ZodObject<typeof tracingEnvShape>>): TracingOptions {
  const base = raw.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const tracesUrl = raw.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined);
  return { tracesUrl: raw.OTEL_SDK_DISABLED ? undefined : tracesUrl, sampleRatio: raw.OTEL_TRACES_SAMPLER_ARG };
}

export const tracingEnv = z.object(tracingEnvShape).transform(tracingOptionsFrom);

/** Metrics switch for services whose own configuration has none (subgraphs, registry). */
/** A service's /metrics: METRICS=off leaves out per-operation series; METRICS_TOKEN guards the endpoint. */
export const metricsEnv = z
  .object({ METRICS: z.enum(['on', 'off']).default('on'), NODE_ENV: env.nodeEnv(), ...metricsTokenEnv })
  .transform((raw) => ({ enabled: raw.METRICS === 'on', ...metricsAccessFromEnv(raw) }));

// OpenTelemetry's API is process-global (one tracer provider, one context manager), so is this.
let provider: NodeTracerProvider | null = null;
let sdkLog: Logger | null = null;

/**
 * Registers the process's tracer provider: service name `autograph-<service>`, parent-based
 * ratio sampling, batched OTLP/HTTP export (OTEL_BSP_* variables tune the batching), the
 * AsyncLocalStorage context manager (verified on Bun by the telemetry tests) and the W3C
 * trace-context and baggage propagators. Only the first call in a process registers; later ones
 * (several services in one test process) share it. Returns whether tracing is on. The SDK's own
 * warnings and errors (a collector that refuses or cannot be reached) go to `logger`: traces
 * being lost should be visible in the logs.
 */
export function startTracing(service: string, options: TracingOptions, logger?: Logger): boolean {
  if (!options.tracesUrl) return false;
  if (provider) return true;
  if (logger) {
    const log = (sdkLog = logger.child({ component: 'opentelemetry' }));
    const quiet = () => {};
    const warn = (message: string, ...args: unknown[]) => log.warn(args.length ? { details: args } : {}, message);
    diag.setLogger({ error: warn, warn, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
  }
  provider = new NodeTracerProvider({
    // OTEL_RESOURCE_ATTRIBUTES adds deployment details (instance, environment); the name is ours.
    resource: defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      .merge(
        resourceFromAttributes({
          [ATTR_SERVICE_NAME]: `autograph-${service}`,
          [ATTR_SERVICE_VERSION]: packageJson.version,
        }),
      ),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.tracesUrl }))],
  });
  provider.register();
  return true;
}

export const tracingActive = () => provider !== null;

/** Sends the spans still buffered; services call it when they stop. */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush().catch((error) => sdkLog?.warn({ err: error }, 'spans could not be exported'));
}

/** Flushes, shuts the provider down and unregisters OpenTelemetry's globals, so the process can start afresh. */
export async function stopTracing(): Promise<void> {
  const stopping = provider;
  provider = null;
  await stopping?.shutdown().catch((error) => sdkLog?.warn({ err: error }, 'spans could not be exported'));
  sdkLog = null;
  trace.disable();
  context.disable();
  propagation.disable();
  diag.disable();
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * Runs an HTTP handler inside a SERVER span continuing the caller's trace (`traceparent`), so
 * everything the handler awaits (resolvers, loaders, SQL) is parented to it. Without tracing it
 * is a direct call.
 */
export function traceRequest(
  request: Request,
  handle: () => Response | Promise<Response>,
): Response | Promise<Response> {
  if (!provider) return handle();
  const parent = propagation.extract(context.active(), request.headers, headerGetter);
  const path = new URL(request.url).pathname;
  const span = trace
    .getTracer('autograph')
    .startSpan(
      `${request.method} ${path}`,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_URL_PATH]: path } },
      parent,
    );
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      const response = await handle();
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return response;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * prom-client's default registry as handed to the GraphQL Prometheus plugins (envelop, Yoga,
 * Hive Gateway). Those plugins clear the registry they are given when their server is
 * disposed, which would wipe every other metric of the process (SQL counts, caches, process
 * metrics), and the modules holding those metric objects would go on counting unseen. Through
 * this view the plugins register and read as usual but cannot clear. It is one object per
 * process, so every plugin instance reuses the metrics the first one registered (envelop caches
 * them per registry object) instead of failing on "already registered".
 */
export const pluginMetricsRegistry: Registry = new Proxy(register, {
  get(target, key) {
    if (key === 'clear') return () => {};
    const value = Reflect.get(target, key, target);
    return typeof value === 'function' ? value.bind(target) : value;
  },
  // envelop swaps `clear` on the registry it instruments; the real registry keeps its own.
  set: () => true,
});

/** Process metrics (CPU, memory, heap, event-loop lag, handles), registered once per process. */
export function collectProcessMetrics(): void {
  if (register.getSingleMetric('process_cpu_user_seconds_total')) return;
  collectDefaultMetrics();
}
