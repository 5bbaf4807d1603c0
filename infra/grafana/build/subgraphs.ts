import { dashboard, RATE } from './panels';

const at = '{subgraph=~"$subgraph"}';
const on = (matchers: string) => `{subgraph=~"$subgraph", ${matchers}}`;
/** Pools that work without operations (the offers outbox relay): left out of per-operation ratios. */
const requestPools = on('service!~".*-outbox"');

/** The five subgraphs: operations, SQL per operation and its time, pool usage, batching, caches, outbox, process. */
export const subgraphsDashboard = dashboard({
  uid: 'autograph-subgraphs',
  title: 'Autograph / Subgraphs',
  description: 'catalog, offers, users, reviews and search: operations, SQL, connection pools, DataLoader batching',
  variables: [{ name: 'subgraph', label: 'Subgraph', metric: 'autograph_subgraph_operations_total' }],
  rows: [
    {
      title: 'Operations',
      panels: [
        {
          title: 'Operations per second',
          description: 'GraphQL operations each subgraph executed (autograph_subgraph_operations_total).',
          unit: 'ops',
          stacked: true,
          queries: [
            {
              expr: `sum by (subgraph) (rate(autograph_subgraph_operations_total${at}[${RATE}]))`,
              legend: '{{subgraph}}',
            },
          ],
        },
        {
          title: 'Operation duration p95',
          description: 'From parse to the end of execution (autograph_subgraph_operation_duration_seconds).',
          unit: 's',
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, subgraph) (rate(autograph_subgraph_operation_duration_seconds_bucket${at}[${RATE}])))`,
              legend: '{{subgraph}}',
            },
          ],
        },
        {
          title: 'Operation errors per second',
          description:
            'Errors in operations, every phase (autograph_subgraph_operation_errors_total); BAD_USER_INPUT and NOT_FOUND included.',
          unit: 'short',
          queries: [
            {
              expr: `sum by (subgraph) (rate(autograph_subgraph_operation_errors_total${at}[${RATE}]))`,
              legend: '{{subgraph}}',
            },
          ],
        },
      ],
    },
    {
      title: 'SQL',
      panels: [
        {
          title: 'SQL statements per operation',
          description:
            'Statements sent per operation executed (autograph_sql_statements_total over autograph_subgraph_operations_total). Flat as lists grow when DataLoader batches; SqlStatementsPerOperationHigh fires above 20.',
          unit: 'short',
          thresholds: [{ value: 20, color: 'red' }],
          queries: [
            {
              expr: `sum by (subgraph) (rate(autograph_sql_statements_total${requestPools}[${RATE}])) / sum by (subgraph) (rate(autograph_subgraph_operations_total${at}[${RATE}]))`,
              legend: '{{subgraph}}',
            },
          ],
        },
        {
          title: 'SQL time per operation',
          description:
            'Seconds of SQL (statement time, waiting for a connection included) per operation executed (autograph_sql_statement_duration_seconds_sum over autograph_subgraph_operations_total).',
          unit: 's',
          queries: [
            {
              expr: `sum by (subgraph) (rate(autograph_sql_statement_duration_seconds_sum${requestPools}[${RATE}])) / sum by (subgraph) (rate(autograph_subgraph_operations_total${at}[${RATE}]))`,
              legend: '{{subgraph}}',
            },
          ],
        },
        {
          title: 'SQL statement time p50 / p99',
          description:
            'From handing a statement to the driver to its result, waiting for a free pool connection included (autograph_sql_statement_duration_seconds), by pool.',
          unit: 's',
          queries: [
            {
              expr: `histogram_quantile(0.5, sum by (le, service) (rate(autograph_sql_statement_duration_seconds_bucket${at}[${RATE}])))`,
              legend: '{{service}} p50',
            },
            {
              expr: `histogram_quantile(0.99, sum by (le, service) (rate(autograph_sql_statement_duration_seconds_bucket${at}[${RATE}])))`,
              legend: '{{service}} p99',
            },
          ],
        },
        {
          title: 'SQL statements per second by pool',
          description:
            'autograph_sql_statements_total by pool (service label): offers-outbox is the outbox relay, not requests.',
          unit: 'short',
          stacked: true,
          queries: [
            {
              expr: `sum by (service) (rate(autograph_sql_statements_total${at}[${RATE}]))`,
              legend: '{{service}}',
            },
          ],
        },
        {
          title: 'Pool usage',
          description:
            'Statements and transactions in flight over the pool size (autograph_sql_in_flight / autograph_sql_pool_max_connections), averaged over the interval. Above 100 % statements wait for (or pipeline on) a busy connection: SqlPoolSaturated.',
          unit: 'percentunit',
          thresholds: [{ value: 1, color: 'red' }],
          queries: [
            {
              expr: `max by (service) (avg_over_time(autograph_sql_in_flight${at}[${RATE}]) / autograph_sql_pool_max_connections${at})`,
              legend: '{{service}}',
            },
          ],
        },
        {
          title: 'Statements in flight',
          description: 'autograph_sql_in_flight as scraped, by pool, with the pool sizes.',
          unit: 'short',
          queries: [
            { expr: `sum by (service) (autograph_sql_in_flight${at})`, legend: '{{service}} in flight' },
            { expr: `max by (service) (autograph_sql_pool_max_connections${at})`, legend: '{{service}} pool size' },
          ],
        },
      ],
    },
    {
      title: 'Batching, caches and events',
      panels: [
        {
          title: 'DataLoader batch size p50 / p95',
          description:
            'Keys per DataLoader batch (autograph_dataloader_batch_size): batches of one on list pages mean a field escaped its loader.',
          unit: 'short',
          queries: [
            {
              expr: `histogram_quantile(0.5, sum by (le, subgraph) (rate(autograph_dataloader_batch_size_bucket${at}[${RATE}])))`,
              legend: '{{subgraph}} p50',
            },
            {
              expr: `histogram_quantile(0.95, sum by (le, subgraph) (rate(autograph_dataloader_batch_size_bucket${at}[${RATE}])))`,
              legend: '{{subgraph}} p95',
            },
          ],
        },
        {
          title: 'DataLoader batches per operation',
          description:
            'Batches (one statement, or one call to a peer, each) per operation executed (autograph_dataloader_batch_size_count over autograph_subgraph_operations_total).',
          unit: 'short',
          queries: [
            {
              expr: `sum by (subgraph) (rate(autograph_dataloader_batch_size_count${at}[${RATE}])) / sum by (subgraph) (rate(autograph_subgraph_operations_total${at}[${RATE}]))`,
              legend: '{{subgraph}}',
            },
          ],
        },
        {
          title: 'Catalog cache hit ratio',
          description:
            'The catalog subgraph cache of makes and models (autograph_catalog_cache_requests_total), and its Redis errors (autograph_catalog_cache_errors_total).',
          unit: 'percentunit',
          queries: [
            {
              expr: `sum by (kind) (rate(autograph_catalog_cache_requests_total${on('result="hit"')}[${RATE}])) / sum by (kind) (rate(autograph_catalog_cache_requests_total${at}[${RATE}]))`,
              legend: '{{kind}}',
            },
            {
              expr: `sum by (operation) (rate(autograph_catalog_cache_errors_total${at}[${RATE}]))`,
              legend: 'errors: {{operation}}',
            },
          ],
        },
        {
          title: 'Offer events: outbox backlog',
          description:
            'Offer changes waiting in the outbox for delivery to search (autograph_outbox_pending_events) and the age of the oldest (autograph_outbox_oldest_pending_seconds): OutboxBacklog fires above 2 minutes.',
          unit: 'short',
          width: 12,
          queries: [
            { expr: `sum(autograph_outbox_pending_events${at})`, legend: 'pending events' },
            { expr: `max(autograph_outbox_oldest_pending_seconds${at})`, legend: 'oldest pending (s)' },
          ],
        },
        {
          title: 'Offer events delivered and failed',
          description:
            'Outbox deliveries to search (autograph_outbox_delivered_total) and failed attempts (autograph_outbox_failures_total).',
          unit: 'short',
          width: 12,
          queries: [
            { expr: `sum(rate(autograph_outbox_delivered_total${at}[${RATE}]))`, legend: 'delivered' },
            { expr: `sum(rate(autograph_outbox_failures_total${at}[${RATE}]))`, legend: 'failed' },
          ],
        },
      ],
    },
    {
      title: 'Process',
      panels: [
        {
          title: 'CPU (cores)',
          description: 'CPU time per second of each subgraph process (process_cpu_seconds_total).',
          unit: 'short',
          queries: [{ expr: `rate(process_cpu_seconds_total${at}[${RATE}])`, legend: '{{subgraph}}' }],
        },
        {
          title: 'Resident memory',
          description: 'process_resident_memory_bytes; MemoryHigh fires above 1.5 GB.',
          unit: 'bytes',
          queries: [{ expr: `process_resident_memory_bytes${at}`, legend: '{{subgraph}}' }],
        },
        {
          title: 'Event loop lag p99',
          description: 'nodejs_eventloop_lag_p99_seconds; EventLoopLag fires above 200 ms.',
          unit: 's',
          thresholds: [{ value: 0.2, color: 'red' }],
          queries: [{ expr: `nodejs_eventloop_lag_p99_seconds${at}`, legend: '{{subgraph}}' }],
        },
      ],
    },
  ],
});
