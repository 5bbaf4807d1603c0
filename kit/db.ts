import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { withReplicas } from 'drizzle-orm/pg-core';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { Counter } from 'prom-client';

/** Counts every SQL statement sent, per service: the batching tests and the perf lab read it from /metrics. */
const sqlStatements = new Counter({
  name: 'autograph_sql_statements_total',
  help: 'SQL statements sent to PostgreSQL',
  labelNames: ['service'],
});

export interface DatabaseOptions {
  url: string;
  /** Service name, used as application_name and metric label. */
  service: string;
  /** Pool size. Small by default: PGlite multiplexes few connections. */
  max?: number;
  /** Read replicas: plain selects go there, writes and transactions to the primary. */
  replicaUrls?: string[];
}

export function connectDatabase<TSchema extends Record<string, unknown>>(options: DatabaseOptions, schema: TSchema) {
  const counter = sqlStatements.labels(options.service);
  // No `debug` option: postgres.js makes a failed statement's parameters enumerable on the error
  // whenever it is set, and loggers print enumerable properties. Statements are counted where
  // they are sent instead (withSqlSpans).
  const open = (url: string) =>
    withSqlSpans(
      postgres(url, {
        max: options.max ?? 5,
        idle_timeout: 30,
        connect_timeout: 10,
        onnotice: () => {},
        connection: { application_name: `autograph-${options.service}` },
      }),
      counter,
    );
  const sql = open(options.url);
  const replicaSql = (options.replicaUrls ?? []).map(open);
  const primary = drizzle(sql, { schema });
  const [first, ...rest] = replicaSql.map((client) => drizzle(client, { schema }));
  const db = first ? withReplicas(primary, [first, ...rest]) : primary;
  return {
    sql,
    db: db as typeof primary,
    close: () => Promise.all([sql, ...replicaSql].map((client) => client.end({ timeout: 5 }))).then(() => {}),
  };
}

/** A connected service database: drizzle `db` (reads may go to replicas), the primary's `sql`, `close`. */
export type Database<Tables extends Record<string, unknown>> = ReturnType<typeof connectDatabase<Tables>>;

type Client = ReturnType<typeof postgres>;
type Scoped = (sql: Client) => unknown;
// Looked up per span, not at import: a tracer taken before the provider is registered can stay a
// no-op (the CommonJS and ESM builds of @opentelemetry/api each keep their own proxy provider).
const tracer = () => trace.getTracer('autograph-sql');
/** Statement text kept on a span; longer ones are cut (values are never recorded: only $n placeholders). */
const MAX_STATEMENT_LENGTH = 2_048;

/**
 * Counts every statement sent, and traces those a traced request sends. postgres.js has no
 * completion hook (its `debug` option fires when a statement is sent) and drizzle's tracing is not wired to
 * OpenTelemetry, so the client is wrapped where drizzle reaches it: every statement goes through
 * `unsafe()` (query builder, `db.execute`, and the scoped clients of transactions and savepoints,
 * which are wrapped in turn). `unsafe()` returns postgres.js's lazy query promise; the span starts
 * there and ends when it settles, observed through Promise.prototype.then because the query's own
 * `then` is what sends it. Statements outside a recorded span (readiness probes, migrations,
 * unsampled requests) get none: a root span per `select 1` is noise, and untraced work pays one
 * context lookup.
 */
function withSqlSpans(client: Client, counter: StatementCounter): Client {
  return new Proxy(client, {
    get(target, key) {
      if (key === 'unsafe') {
        return (text: string, params?: never, options?: never) => {
          counter.inc();
          return traceStatement(text, () => target.unsafe(text, params, options));
        };
      }
      if (key === 'begin' || key === 'savepoint') {
        return (...args: unknown[]) => {
          counter.inc(2); // begin and commit (or rollback); savepoint and release (or rollback to)
          return inSpan(key, () =>
            (Reflect.get(target, key) as (...a: unknown[]) => unknown)(...scopeWrapped(args, counter)),
          );
        };
      }
      return Reflect.get(target, key);
    },
  });
}

interface StatementCounter {
  inc(by?: number): void;
}

/** The callback of begin/savepoint receives a scoped client; its statements are traced and counted too. */
function scopeWrapped(args: unknown[], counter: StatementCounter): unknown[] {
  const last = args.at(-1);
  return typeof last === 'function'
    ? [...args.slice(0, -1), (scoped: Client) => (last as Scoped)(withSqlSpans(scoped, counter))]
    : args;
}

function recordingParent(): boolean {
  return trace.getActiveSpan()?.isRecording() ?? false;
}

function traceStatement<Q extends PromiseLike<unknown>>(text: string, send: () => Q): Q {
  if (!recordingParent()) return send();
  const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'SQL';
  const span = tracer().startSpan(operation, {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_OPERATION_NAME]: operation,
      [ATTR_DB_QUERY_TEXT]: text.length > MAX_STATEMENT_LENGTH ? `${text.slice(0, MAX_STATEMENT_LENGTH)}…` : text,
    },
  });
  const query = send();
  Promise.prototype.then.call(
    query,
    () => span.end(),
    (error) => endWithError(span, error),
  );
  return query;
}

/** A transaction or savepoint as one span, parent of its statements. */
function inSpan(name: string, run: () => unknown): unknown {
  if (!recordingParent()) return run();
  return tracer().startActiveSpan(
    name === 'begin' ? 'transaction' : 'savepoint',
    { kind: SpanKind.CLIENT },
    async (span) => {
      try {
        const result = await run();
        span.end();
        return result;
      } catch (error) {
        endWithError(span, error);
        throw error;
      }
    },
  );
}

function endWithError(span: Span, error: unknown) {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
  span.end();
}

/**
 * Applies a service's committed drizzle-kit migrations. Idempotent, and safe when several
 * processes start at once: a session-level advisory lock on one dedicated connection
 * serialises them. Bookkeeping lives in the `drizzle` schema, one table per service, so the
 * service's own schema is created by its first migration.
 */
export async function migrateDatabase(url: string, service: string, migrationsFolder: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql`select pg_advisory_lock(hashtext('autograph-migrations'))`;
    await migrate(drizzle(sql), {
      migrationsFolder,
      migrationsSchema: 'drizzle',
      migrationsTable: `${service}_migrations`,
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Turns a connection failure into a sentence a person can act on. */
export function describeConnectionError(url: string, error: unknown): string {
  const safe = redactUrl(url);
  const code = (error as { code?: string })?.code;
  if (code === 'ECONNREFUSED') return `DATABASE_URL points to ${safe}, which refused the connection`;
  if (code === 'ENOTFOUND') return `DATABASE_URL points to ${safe}, whose host cannot be resolved`;
  if (code === '3D000') return `DATABASE_URL points to ${safe}, but that database does not exist`;
  return `cannot use the database at ${safe}: ${(error as Error)?.message ?? error}`;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
