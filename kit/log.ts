import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream } from 'pino';

/**
 * Joins logs to traces: a line written while a span is active (inside a traced request) carries
 * the ids of its trace and span. Runs only for lines actually written; without tracing there is
 * never an active span and it adds nothing.
 */
function traceCorrelation(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * Structured JSON logs; LOG_LEVEL controls verbosity, LOG_PRETTY is not supported on purpose (pipe
 * to pino-pretty). `destination` defaults to stdout.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream) {
  const options = { name: service, level, base: { service }, mixin: traceCorrelation };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;
