import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { withReplicas } from 'drizzle-orm/pg-core';
import { Counter } from 'prom-client';

/** Counts every SQL statement sent, per service: the batching tests and the perf lab read it from /metrics. */
export const sqlStatements = new Counter({
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

export function connectDatabase<TSchema extends Record<string, unknown>>(
  options: DatabaseOptions,
  schema: TSchema,
) {
  const counter = sqlStatements.labels(options.service);
  const open = (url: string) =>
    postgres(url, {
      max: options.max ?? 5,
      idle_timeout: 30,
      connect_timeout: 10,
      onnotice: () => {},
      connection: { application_name: `autograph-${options.service}` },
      debug: () => counter.inc(),
    });
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
