import { dashboard, RATE } from './panels';

const registry = '{job="autograph-registry"}';

/** The schema registry: publishes, checks, refusals, and the gateways picking up new supergraphs. */
export const registryDashboard = dashboard({
  uid: 'autograph-registry',
  title: 'Autograph / Schema registry',
  description: 'Schema publishes and checks, what was rejected or refused, and the gateways following new supergraphs',
  from: 'now-7d',
  rows: [
    {
      title: 'Schema changes',
      panels: [
        {
          title: 'Publishes over the range',
          description: 'Publishes that made a new supergraph version (autograph_registry_schema_changes_total).',
          kind: 'stat',
          width: 6,
          queries: [
            {
              expr: 'sum(increase(autograph_registry_schema_changes_total{action="publish", result="published"}[$__range]))',
              legend: 'published',
            },
          ],
        },
        {
          title: 'Checks over the range',
          description: 'Schema checks run (autograph_registry_checks_total), whatever their result.',
          kind: 'stat',
          width: 6,
          queries: [{ expr: 'sum(increase(autograph_registry_checks_total[$__range]))', legend: 'checks' }],
        },
        {
          title: 'Rejected or refused over the range',
          description:
            'Writes and checks that did not pass: rejected (would not compose, or breaks clients) and refused (invalid or over-limit SDL, routing URL on a host not allowed).',
          kind: 'stat',
          width: 6,
          thresholds: [{ value: 1, color: 'orange' }],
          queries: [
            {
              expr: '(sum(increase(autograph_registry_schema_changes_total{result=~"rejected|refused"}[$__range])) or vector(0)) + (sum(increase(autograph_registry_checks_total{result=~"failed|refused"}[$__range])) or vector(0))',
              legend: 'rejected or refused',
            },
          ],
        },
        {
          title: 'Supergraph changes seen by gateways',
          description:
            'Schema changes the gateways loaded (graphql_envelop_schema_change): a publish that no gateway followed shows here as a missing step.',
          kind: 'stat',
          width: 6,
          queries: [
            { expr: 'sum(increase(graphql_envelop_schema_change[$__range]))', legend: 'gateway schema changes' },
          ],
        },
        {
          title: 'Schema changes by action and result',
          description:
            'publish, delete, rollback, promote by result: published, unchanged, rejected (composition or breaking changes), refused (invalid input, limits, host not allowed).',
          width: 12,
          stacked: true,
          queries: [
            {
              expr: `sum by (action, result) (increase(autograph_registry_schema_changes_total[${RATE}]))`,
              legend: '{{action}} {{result}}',
            },
          ],
        },
        {
          title: 'Checks by result',
          description:
            'autograph_registry_checks_total: passed, failed (the change would be rejected), refused (the check could not run on this input).',
          width: 12,
          stacked: true,
          queries: [
            {
              expr: `sum by (result) (increase(autograph_registry_checks_total[${RATE}]))`,
              legend: '{{result}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Service',
      panels: [
        {
          title: 'Scraped',
          description:
            'up: 1 while Prometheus reaches the registry; gateways keep serving their last supergraph without it.',
          kind: 'stat',
          width: 6,
          thresholds: [
            { value: 0, color: 'red' },
            { value: 1, color: 'green' },
          ],
          queries: [{ expr: `min(up${registry})`, legend: 'up' }],
        },
        {
          title: 'SQL statements per second',
          description:
            'Statements the registry sends (autograph_sql_statements_total): gateways polling, usage reports, checks.',
          width: 6,
          queries: [{ expr: `sum(rate(autograph_sql_statements_total${registry}[${RATE}]))`, legend: 'statements' }],
        },
        {
          title: 'SQL statement time p95',
          description: 'autograph_sql_statement_duration_seconds of the registry.',
          unit: 's',
          width: 6,
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le) (rate(autograph_sql_statement_duration_seconds_bucket${registry}[${RATE}])))`,
              legend: 'p95',
            },
          ],
        },
        {
          title: 'Resident memory',
          description: 'process_resident_memory_bytes of the registry.',
          unit: 'bytes',
          width: 6,
          queries: [{ expr: `process_resident_memory_bytes${registry}`, legend: '{{instance}}' }],
        },
      ],
    },
  ],
});
