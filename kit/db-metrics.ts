import { Counter, Gauge, Histogram } from 'prom-client';

/** Statements take well under a millisecond here; the upper buckets catch lock waits and a saturated pool. */
export const SQL_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface SqlMetrics {
  statements: Counter<'service'>;
  duration: Histogram<'service'>;
  inFlight: Gauge<'service'>;
  poolMax: Gauge<'service'>;
}

let metrics: SqlMetrics | null = null;

/**
 * Registered by the first connection, not at import: a process that only imports the database
 * modules (the gateway, through shared modules) exposes no database metrics.
 */
function sqlMetrics(): SqlMetrics {
  metrics ??= {
    statements: new Counter({
      name: 'autograph_sql_statements_total',
      help: 'SQL statements sent to PostgreSQL',
      labelNames: ['service'],
    }),
    duration: new Histogram({
      name: 'autograph_sql_statement_duration_seconds',
      help: 'Time from handing a statement to the driver to its result, waiting for a free pool connection included',
      labelNames: ['service'],
      buckets: SQL_DURATION_BUCKETS,
    }),
    inFlight: new Gauge({
      name: 'autograph_sql_in_flight',
      help: 'Statements and transactions waiting for or holding a pool connection (statements inside a transaction are not counted again)',
      labelNames: ['service'],
    }),
    poolMax: new Gauge({
      name: 'autograph_sql_pool_max_connections',
      help: 'Connections the service may open (pool size, primary and replicas together)',
      labelNames: ['service'],
    }),
  };
  return metrics;
}

/**
 * One service's SQL series, bound once per connection. postgres.js keeps its pool's state to
 * itself, so pool usage is measured from outside: what is in flight against the pool's size (in
 * flight above the size means statements queue for a connection; postgres.js also pipelines
 * several statements on one connection, so a full pool is not yet a blocked one).
 */
export function sqlSeries(service: string, poolSize: number) {
  const all = sqlMetrics();
  all.poolMax.labels(service).set(poolSize);
  return {
    statements: all.statements.labels(service),
    duration: all.duration.labels(service),
    inFlight: all.inFlight.labels(service),
  };
}

export type SqlSeries = ReturnType<typeof sqlSeries>;

/** Times a statement (or a transaction, `holdsConnection`) from now until it settles; returns it untouched. */
export function measured<Q extends PromiseLike<unknown>>(
  query: Q,
  series: SqlSeries,
  options: { holdsConnection: boolean; timed: boolean },
): Q {
  const started = performance.now();
  if (options.holdsConnection) series.inFlight.inc();
  const settled = () => {
    if (options.holdsConnection) series.inFlight.dec();
    if (options.timed) series.duration.observe((performance.now() - started) / 1000);
  };
  // postgres.js sends a query when its own `then` is called: Promise.prototype.then observes it
  // without sending it early, and handles a rejection here so none is reported unhandled.
  Promise.prototype.then.call(query, settled, settled);
  return query;
}
