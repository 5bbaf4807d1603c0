import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { withReplicas } from 'drizzle-orm/pg-core';
import { gatePrimary, type PrimaryGateOptions } from './db-primary-gate';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { routeReads } from './db-replicas';
import { measured, sqlSeries, type SqlSeries } from './db-metrics';

export interface DatabaseOptions {
  url: string;
  /** Service name, used as application_name and metric label. */
  service: string;
  /** Pool size. Small by default: PGlite multiplexes few connections. */
  max?: number;
  /**
   * Read replicas: plain selects go there, writes and transactions to the primary; a replica that
   * cannot be reached is skipped until it answers again (kit/db-replicas.ts).
   */
  replicaUrls?: string[];
  /** Told when a replica is marked down or taken back. */
  onReplicaChange?: Parameters<typeof routeReads>[0]['onChange'];
  /** Told when the primary is marked unreachable and when it answers again (logs). */
  onPrimaryChange?: PrimaryGateOptions['onChange'];
  /**
   * Named prepared statements (default true): a query built with drizzle's `.prepare(name)` is
   * parsed and planned once per connection, then sent as Bind/Execute alone, in one round trip.
   * false sends every statement unnamed, as poolers in transaction mode (pgbouncer before 1.21)
   * need: a statement prepared on one server connection is unknown on the next.
   */
  prepare?: boolean;
}

/**
 * Seconds before the next connection attempt after `retries` failed ones: 50 ms doubling, at most
 * 500 ms. postgres.js's default grows to 20 s, and statements wait for the next attempt: after a
 * few seconds of a restarting server every statement waited 3–20 s (past any request deadline)
 * instead of failing fast as SERVICE_UNAVAILABLE while it is down and succeeding once it is back.
 */
const reconnectDelaySeconds = (retries: number) => Math.min(0.05 * 2 ** retries, 0.5);

export function connectDatabase<TSchema extends Record<string, unknown>>(options: DatabaseOptions, schema: TSchema) {
  const max = options.max ?? 5;
  // Counted per service for the batching tests, the perf lab and the dashboards (kit/db-metrics.ts).
  const series = sqlSeries(options.service, max * (1 + (options.replicaUrls?.length ?? 0)));
  // No `debug` option: postgres.js makes a failed statement's parameters enumerable on the error
  // whenever it is set, and loggers print enumerable properties. Statements are counted where
  // they are sent instead (withSqlSpans).
  const open = (url: string) =>
    withSqlSpans(
      postgres(url, {
        max,
        // postgres.js names a statement only when drizzle asks (`.prepare(name)`) and this allows it.
        prepare: options.prepare ?? true,
        idle_timeout: 30,
        connect_timeout: 10,
        backoff: reconnectDelaySeconds,
        onnotice: () => {},
        connection: { application_name: `autograph-${options.service}` },
      }),
      series,
    );
  const gate = gatePrimary(open(options.url), { onChange: options.onPrimaryChange });
  const sql = gate.client;
  const replicaSql = (options.replicaUrls ?? []).map(open);
  const primary = drizzle(sql, { schema });
  // drizzle sets its type parsers on the client it wraps; the replicas' results are read by the
  // router's drizzle, so each replica client gets them the same way.
  for (const client of replicaSql) drizzle(client);
  const reads = replicaSql.length
    ? routeReads({ service: options.service, primary: sql, replicas: replicaSql, onChange: options.onReplicaChange })
    : null;
  const db = reads ? withReplicas(primary, [drizzle(reads.client, { schema })]) : primary;
  return {
    sql,
    db: db as typeof primary,
    /** Always the primary: for reads that must see a write just made (replicas lag). */
    primary,
    close: async () => {
      reads?.close();
      gate.close();
      await Promise.all([sql, ...replicaSql].map((client) => client.end({ timeout: 5 })));
    },
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
 * Counts and times every statement sent, and traces those a traced request sends. postgres.js has no
 * completion hook (its `debug` option fires when a statement is sent) and drizzle's tracing is not wired to
 * OpenTelemetry, so the client is wrapped where drizzle reaches it: every statement goes through
 * `unsafe()` (query builder, `db.execute`, and the scoped clients of transactions and savepoints,
 * which are wrapped in turn). `unsafe()` returns postgres.js's lazy query promise; the span starts
 * there and ends when it settles, observed through Promise.prototype.then because the query's own
 * `then` is what sends it. Statements outside a recorded span (readiness probes, migrations,
 * unsampled requests) get none: a root span per `select 1` is noise, and untraced work pays one
 * context lookup. A transaction holds one connection until it ends: it counts once in flight,
 * its statements (on the scoped client, `scoped`) do not count again.
 */
function withSqlSpans(client: Client, series: SqlSeries, scoped = false): Client {
  const statement = { holdsConnection: !scoped, timed: true };
  const transaction = { holdsConnection: !scoped, timed: false };
  // One function for the client's life, not a closure per statement: `unsafe` is read for every statement.
  const unsafe = (text: string, params?: never, options?: never) => {
    series.statements.inc();
    const query = recordingParent()
      ? traceStatement(text, () => client.unsafe(text, params, options))
      : client.unsafe(text, params, options);
    return measured(query, series, statement);
  };
  return new Proxy(client, {
    get(target, key) {
      if (key === 'unsafe') return unsafe;
      if (key === 'begin' || key === 'savepoint') {
        return (...args: unknown[]) => {
          series.statements.inc(2); // begin and commit (or rollback); savepoint and release (or rollback to)
          const started = inSpan(key, () =>
            (Reflect.get(target, key) as (...a: unknown[]) => unknown)(...scopeWrapped(args, series)),
          ) as PromiseLike<unknown>;
          return measured(started, series, transaction);
        };
      }
      return Reflect.get(target, key);
    },
  });
}

/** The callback of begin/savepoint receives a scoped client; its statements are traced and counted too. */
function scopeWrapped(args: unknown[], series: SqlSeries): unknown[] {
  const last = args.at(-1);
  return typeof last === 'function'
    ? [...args.slice(0, -1), (scoped: Client) => (last as Scoped)(withSqlSpans(scoped, series, true))]
    : args;
}

function recordingParent(): boolean {
  return trace.getActiveSpan()?.isRecording() ?? false;
}

/** Sends a statement of a traced request inside its own span. */
function traceStatement<Q extends PromiseLike<unknown>>(text: string, send: () => Q): Q {
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
