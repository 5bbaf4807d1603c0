import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';

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

/** Statement text kept in a log line; longer ones are cut. */
const MAX_LOGGED_STATEMENT = 2_048;
/** Causes followed per error (cause, originalError); a cycle or a long chain stops here. */
const MAX_CAUSES = 5;
/**
 * Fields of an error that are safe to log: PostgreSQL's diagnostics without `detail` (which
 * quotes row values: "Key (email)=(…) already exists"), GraphQL's location and code.
 */
const SAFE_ERROR_FIELDS = [
  'code',
  'severity',
  'routine',
  'constraint_name',
  'table_name',
  'schema_name',
  'column_name',
  'path',
  'extensions',
] as const;

/**
 * An error message without SQL parameters. Drizzle's DrizzleQueryError reads
 * "Failed query: <statement>\nparams: <every value, joined>": values are user data (e-mails,
 * password hashes, search text), so only the statement (which has $n placeholders) is kept, cut
 * to a bounded length. GraphQL errors that wrap one repeat its message and are cut alike. With
 * the error's SQLSTATE, the value a data exception quotes is left out too.
 */
export function safeErrorMessage(message: string, sqlState?: unknown): string {
  // PostgreSQL's data exceptions (class 22) quote the offending value: `invalid input syntax for type integer: "…"`.
  if (typeof sqlState === 'string' && sqlState.startsWith('22')) return message.replace(/: ".*"$/s, ': "…"');
  if (!message.startsWith('Failed query: ')) return message;
  const end = message.indexOf('\nparams: ');
  const statement = end >= 0 ? message.slice(0, end) : message;
  return statement.length > MAX_LOGGED_STATEMENT ? `${statement.slice(0, MAX_LOGGED_STATEMENT)}…` : statement;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
  cause?: unknown;
  originalError?: unknown;
  [key: string]: unknown;
}

const isErrorLike = (value: unknown): value is ErrorLike =>
  value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value && 'stack' in value);

/**
 * pino's `err` serializer, by allow-list: pino's standard one copies every enumerable property,
 * and the errors here carry the statement's parameters as enumerable properties (drizzle's
 * `params`; postgres.js's `parameters` and `args` whenever its `debug` option is set) and in
 * their message and stack. Messages are cleaned with `safeErrorMessage`; a string logged as
 * `err` (`{ err: error.message }`) is cleaned too.
 */
function serializeError(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return safeErrorMessage(value);
  if (!isErrorLike(value)) return value;
  const type =
    typeof value.constructor === 'function' && value.constructor.name
      ? value.constructor.name
      : String(value.name ?? 'Error');
  const message = safeErrorMessage(String(value.message ?? ''), value.code);
  const out: Record<string, unknown> = { type, message };
  if (typeof value.stack === 'string') {
    // The stack's first line repeats the message (with its parameters): rebuild it, keep the frames.
    const frames = value.stack.indexOf('\n    at ');
    out.stack = `${String(value.name ?? type)}: ${message}${frames >= 0 ? value.stack.slice(frames) : ''}`;
  }
  for (const field of SAFE_ERROR_FIELDS) if (value[field] !== undefined) out[field] = value[field];
  const cause = value.cause ?? value.originalError;
  if (cause !== undefined && cause !== value && depth < MAX_CAUSES) out.cause = serializeError(cause, depth + 1);
  return out;
}

/**
 * Structured JSON logs; LOG_LEVEL controls verbosity, LOG_PRETTY is not supported on purpose (pipe
 * to pino-pretty). `destination` defaults to stdout. Errors are logged under `err` through
 * `serializeError`: never with SQL parameters.
 */
export function createLogger(
  service: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
) {
  const options: LoggerOptions = {
    name: service,
    level,
    base: { service },
    mixin: traceCorrelation,
    serializers: { err: (error: unknown) => serializeError(error) },
    hooks: {
      // `logger.error(error)` makes the error's message the line's message: cleaned like any
      // message a caller builds from one (`logger.error({ err }, err.message)`).
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        if (isErrorLike(first) && typeof rest[0] !== 'string') {
          return method.apply(this, [
            { err: first },
            safeErrorMessage(String(first.message ?? ''), first.code),
            ...rest,
          ] as Parameters<typeof method>);
        }
        return method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? safeErrorMessage(arg) : arg)) as Parameters<typeof method>,
        );
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;
