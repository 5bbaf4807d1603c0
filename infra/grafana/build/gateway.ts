import { dashboard, RATE } from './panels';

const at = '{instance=~"$instance"}';
const on = (matchers: string) => `{instance=~"$instance", ${matchers}}`;
/** Failed answers (5xx, or a server-side error inside a lower status) over all, in a window: the availability SLI. */
const failedShare = (window: string) =>
  `((sum(increase(autograph_gateway_http_responses_total${on('status=~"5.."')}[${window}])) or vector(0)) + (sum(increase(autograph_gateway_http_partial_failures_total${at}[${window}])) or vector(0))) / sum(increase(autograph_gateway_http_responses_total${at}[${window}]))`;
const quantile = (q: number, metric: string, by = 'le') =>
  `histogram_quantile(${q}, sum by (${by}) (rate(${metric}_bucket${at}[${RATE}])))`;

/** The gateway: SLOs, traffic, errors, caches, subgraph calls and breakers, protections, process. */
export const gatewayDashboard = dashboard({
  uid: 'autograph-gateway',
  title: 'Autograph / Gateway',
  description:
    'Hive Gateway in front of the five subgraphs: service level, traffic, errors, caches, subgraph calls, protections',
  variables: [{ name: 'instance', label: 'Replica', metric: 'autograph_gateway_http_responses_total' }],
  rows: [
    {
      title: 'Service level (30 days: 99.9 % of answers succeed; 95 % of requests within 200 ms)',
      panels: [
        {
          title: 'Availability over the range',
          description:
            'Share of /graphql answers that succeeded: not 5xx (autograph_gateway_http_responses_total, rejections and early cache hits included) and no server-side error inside a lower status (autograph_gateway_http_partial_failures_total). Objective: 99.9 %.',
          kind: 'stat',
          unit: 'percentunit',
          decimals: 3,
          width: 6,
          thresholds: [
            { value: 0, color: 'red' },
            { value: 0.999, color: 'green' },
          ],
          queries: [
            {
              expr: `1 - ${failedShare('$__range')}`,
              legend: 'availability',
            },
          ],
        },
        {
          title: 'Requests within 200 ms over the range',
          description:
            'Share of GraphQL requests answered within 200 ms (graphql_yoga_http_duration, le="0.2" bucket). Objective: 95 %, i.e. p95 under 200 ms.',
          kind: 'stat',
          unit: 'percentunit',
          decimals: 2,
          width: 6,
          thresholds: [
            { value: 0, color: 'red' },
            { value: 0.95, color: 'green' },
          ],
          queries: [
            {
              expr: `sum(increase(graphql_yoga_http_duration_bucket${on('le="0.2"')}[$__range])) / sum(increase(graphql_yoga_http_duration_count${at}[$__range]))`,
              legend: 'within 200 ms',
            },
          ],
        },
        {
          title: 'Error budget burn rate',
          description:
            'Budget spent relative to spending it evenly over 30 days (recording rules of infra/prometheus/slo.yml, all replicas). 1 = the budget lasts exactly the month; pages at 14.4 over 1 h (and 5 min) or 6 over 6 h (and 30 min).',
          width: 12,
          thresholds: [
            { value: 6, color: 'orange' },
            { value: 14.4, color: 'red' },
          ],
          min: 0,
          queries: [
            { expr: 'gateway:slo_availability_errors:ratio_rate1h / 0.001', legend: 'availability, 1 h' },
            { expr: 'gateway:slo_availability_errors:ratio_rate6h / 0.001', legend: 'availability, 6 h' },
            { expr: 'gateway:slo_latency_errors:ratio_rate1h / 0.05', legend: 'latency, 1 h' },
            { expr: 'gateway:slo_latency_errors:ratio_rate6h / 0.05', legend: 'latency, 6 h' },
          ],
        },
      ],
    },
    {
      title: 'Traffic and latency',
      panels: [
        {
          title: 'Requests per second by HTTP status',
          description:
            'Every answer of /graphql by status (autograph_gateway_http_responses_total): 429 rate limits, 413 bodies, 401 tokens included.',
          unit: 'reqps',
          stacked: true,
          queries: [
            {
              expr: `sum by (status) (rate(autograph_gateway_http_responses_total${at}[${RATE}]))`,
              legend: '{{status}}',
            },
          ],
        },
        {
          title: 'Request latency p50 / p95 / p99',
          description:
            'graphql_yoga_http_duration: from the request to the answer, for requests whose document was parsed. The line is the 200 ms objective.',
          unit: 's',
          thresholds: [{ value: 0.2, color: 'red' }],
          queries: [
            { expr: quantile(0.5, 'graphql_yoga_http_duration'), legend: 'p50' },
            { expr: quantile(0.95, 'graphql_yoga_http_duration'), legend: 'p95' },
            { expr: quantile(0.99, 'graphql_yoga_http_duration'), legend: 'p99' },
          ],
        },
        {
          title: 'Operations per second by type',
          description:
            'GraphQL operations executed (graphql_envelop_request): cache hits before execution are not here.',
          unit: 'ops',
          stacked: true,
          queries: [
            {
              expr: `sum by (operationType) (rate(graphql_envelop_request${at}[${RATE}]))`,
              legend: '{{operationType}}',
            },
          ],
        },
        {
          title: 'Slowest operations (p95)',
          description:
            'Ten operations with the highest p95 execution time (graphql_envelop_request_duration). Operation names are labelled only where METRICS_OPERATION_NAMES is on.',
          unit: 's',
          width: 12,
          queries: [
            {
              expr: `topk(10, ${quantile(0.95, 'graphql_envelop_request_duration', 'le, operationType, operationName')})`,
              legend: '{{operationType}} {{operationName}}',
            },
          ],
        },
        {
          title: 'Query cost p50 / p95',
          description:
            'Estimated cost of executed operations (autograph_gateway_query_cost): what MAX_QUERY_COST and RATE_LIMIT_COST_BUDGET are tuned from.',
          width: 12,
          queries: [
            { expr: quantile(0.5, 'autograph_gateway_query_cost'), legend: 'p50' },
            { expr: quantile(0.95, 'autograph_gateway_query_cost'), legend: 'p95' },
          ],
        },
      ],
    },
    {
      title: 'Errors',
      panels: [
        {
          title: 'GraphQL errors by code',
          description:
            'Errors sent to clients by extensions.code (autograph_gateway_graphql_errors_total). A failed field answers 200: only this panel shows it.',
          unit: 'short',
          stacked: true,
          queries: [
            {
              expr: `sum by (code) (rate(autograph_gateway_graphql_errors_total${at}[${RATE}]))`,
              legend: '{{code}}',
            },
          ],
        },
        {
          title: 'Share of answers that failed',
          description:
            'The availability SLI as it moves: 5xx answers, and answers below 500 that carry a server-side error such as SUBGRAPH_UNAVAILABLE (autograph_gateway_http_partial_failures_total). The line is the budget: 0.1 %.',
          unit: 'percentunit',
          thresholds: [{ value: 0.001, color: 'red' }],
          queries: [{ expr: failedShare(RATE), legend: 'failed share' }],
        },
        {
          title: 'Errors by GraphQL phase',
          description:
            'graphql_envelop_error_result: parse and validate errors are client mistakes; execute errors come from resolvers and subgraphs.',
          unit: 'short',
          queries: [
            {
              expr: `sum by (phase) (rate(graphql_envelop_error_result${at}[${RATE}]))`,
              legend: '{{phase}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Caching',
      panels: [
        {
          title: 'Response cache hit ratio by level',
          description:
            'Share of cache lookups answered by L1 (this process) and by L2 (the Redis every replica shares), and both together (autograph_gateway_response_cache_requests_total).',
          unit: 'percentunit',
          min: 0,
          max: 1,
          queries: [
            {
              expr: `sum by (level) (rate(autograph_gateway_response_cache_requests_total${on('result="hit"')}[${RATE}])) / ignoring (level) group_left sum(rate(autograph_gateway_response_cache_requests_total${at}[${RATE}]))`,
              legend: '{{level}}',
            },
            {
              expr: `sum(rate(autograph_gateway_response_cache_requests_total${on('result="hit"')}[${RATE}])) / sum(rate(autograph_gateway_response_cache_requests_total${at}[${RATE}]))`,
              legend: 'all levels',
            },
          ],
        },
        {
          title: 'Cache hits by path and level',
          description:
            'fast: anonymous persisted GETs answered before the gateway runtime; early: persisted-document hashes answered before GraphQL processing; standard: looked up before parsing.',
          unit: 'reqps',
          stacked: true,
          queries: [
            {
              expr: `sum by (path, level) (rate(autograph_gateway_response_cache_requests_total${on('result="hit"')}[${RATE}]))`,
              legend: '{{path}} {{level}}',
            },
          ],
        },
        {
          title: 'Query plan cache hit ratio',
          description:
            'Executions whose Rust query plan came from the plan cache (autograph_gateway_query_plan_cache_requests_total). A miss costs about 0.4 ms of planning.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          queries: [
            {
              expr: `sum(rate(autograph_gateway_query_plan_cache_requests_total${on('result="hit"')}[${RATE}])) / sum(rate(autograph_gateway_query_plan_cache_requests_total${at}[${RATE}]))`,
              legend: 'plan cache hits',
            },
          ],
        },
        {
          title: 'L1 size',
          description:
            'Responses (and their bytes) held in each process in front of Redis (autograph_gateway_response_cache_l1_entries, _bytes). Zero while L1 is not in use.',
          unit: 'short',
          queries: [
            { expr: `autograph_gateway_response_cache_l1_entries${at}`, legend: '{{instance}} entries' },
            { expr: `autograph_gateway_response_cache_l1_in_use${at}`, legend: '{{instance}} in use (1/0)' },
          ],
        },
        {
          title: 'L1 bytes',
          description: 'Bytes of the responses held in each process (autograph_gateway_response_cache_l1_bytes).',
          unit: 'bytes',
          queries: [{ expr: `autograph_gateway_response_cache_l1_bytes${at}`, legend: '{{instance}}' }],
        },
        {
          title: 'Redis errors and invalidations',
          description:
            'Cache operations Redis could not serve (the request went on uncached; autograph_gateway_response_cache_store_errors_total) and entities evicted by mutations.',
          unit: 'short',
          queries: [
            {
              expr: `sum by (operation) (rate(autograph_gateway_response_cache_store_errors_total${at}[${RATE}]))`,
              legend: 'Redis errors: {{operation}}',
            },
            {
              expr: `sum(rate(autograph_gateway_response_cache_invalidated_entities_total${at}[${RATE}]))`,
              legend: 'entities invalidated',
            },
          ],
        },
      ],
    },
    {
      title: 'Subgraph calls and circuit breakers',
      panels: [
        {
          title: 'Circuit state per subgraph',
          description:
            'autograph_gateway_circuit_state, worst replica: closed (calls go through), half-open (one call probes), open (calls fail fast with SUBGRAPH_UNAVAILABLE).',
          kind: 'state-timeline',
          width: 12,
          mappings: [
            { value: 0, text: 'closed', color: 'green' },
            { value: 1, text: 'half-open', color: 'yellow' },
            { value: 2, text: 'open', color: 'red' },
          ],
          queries: [{ expr: `max by (subgraph) (autograph_gateway_circuit_state${at})`, legend: '{{subgraph}}' }],
        },
        {
          title: 'Calls failed fast by open circuits',
          description:
            'Subgraph calls refused because the circuit was open (autograph_gateway_circuit_rejected_total), and circuit openings.',
          unit: 'short',
          width: 12,
          queries: [
            {
              expr: `sum by (subgraph) (rate(autograph_gateway_circuit_rejected_total${at}[${RATE}]))`,
              legend: '{{subgraph}} failed fast',
            },
            {
              expr: `sum by (subgraph) (increase(autograph_gateway_circuit_opened_total${at}[${RATE}]))`,
              legend: '{{subgraph}} opened',
            },
          ],
        },
        {
          title: 'Subgraph call latency p95',
          description:
            'Time of each call to a subgraph as the gateway sees it (graphql_gateway_subgraph_execute_duration).',
          unit: 's',
          queries: [
            {
              expr: quantile(0.95, 'graphql_gateway_subgraph_execute_duration', 'le, subgraphName'),
              legend: '{{subgraphName}}',
            },
          ],
        },
        {
          title: 'Subgraph calls per second',
          description: 'Calls the gateway makes to each subgraph (graphql_gateway_subgraph_execute_duration_count).',
          unit: 'reqps',
          stacked: true,
          queries: [
            {
              expr: `sum by (subgraphName) (rate(graphql_gateway_subgraph_execute_duration_count${at}[${RATE}]))`,
              legend: '{{subgraphName}}',
            },
          ],
        },
        {
          title: 'Subgraph errors, transport failures and retries',
          description:
            'Errors subgraphs answered with (graphql_gateway_subgraph_execute_errors), calls that failed on the way (autograph_gateway_subgraph_failures_total: unreachable, timeout, deadline) and retried calls.',
          unit: 'short',
          queries: [
            {
              expr: `sum by (subgraphName) (rate(graphql_gateway_subgraph_execute_errors${at}[${RATE}]))`,
              legend: '{{subgraphName}} errors',
            },
            {
              expr: `sum by (subgraph, reason) (rate(autograph_gateway_subgraph_failures_total${at}[${RATE}]))`,
              legend: '{{subgraph}} {{reason}}',
            },
            {
              expr: `sum by (subgraph) (rate(autograph_gateway_subgraph_retries_total${at}[${RATE}]))`,
              legend: '{{subgraph}} retried',
            },
          ],
        },
      ],
    },
    {
      title: 'Protection',
      panels: [
        {
          title: 'Rate-limit refusals by reason and scope',
          description:
            'Requests (or fields) refused by rate limiting (autograph_gateway_rate_limit_rejections_total): rate_limited per client, operation, cost or field budget; too_complex; unavailable when the limit store cannot decide.',
          unit: 'reqps',
          stacked: true,
          queries: [
            {
              expr: `sum by (reason, scope) (rate(autograph_gateway_rate_limit_rejections_total${at}[${RATE}]))`,
              legend: '{{reason}} / {{scope}}',
            },
          ],
        },
        {
          title: 'Rate-limit decisions without Redis',
          description:
            'Decisions taken without Redis (unreachable or too slow), by RATE_LIMIT_REDIS_DOWN policy (autograph_gateway_rate_limit_redis_fallback_total).',
          unit: 'short',
          queries: [
            {
              expr: `sum by (policy) (rate(autograph_gateway_rate_limit_redis_fallback_total${at}[${RATE}]))`,
              legend: '{{policy}}',
            },
          ],
        },
        {
          title: 'Refused documents and fields',
          description:
            'Documents refused by query limits (autograph_gateway_query_limit_rejections_total) and fields refused by authorization directives (autograph_gateway_authorization_denials_total), by code.',
          unit: 'short',
          queries: [
            {
              expr: `sum by (code) (rate(autograph_gateway_query_limit_rejections_total${at}[${RATE}]))`,
              legend: 'query limit: {{code}}',
            },
            {
              expr: `sum by (code) (rate(autograph_gateway_authorization_denials_total${at}[${RATE}]))`,
              legend: 'authorization: {{code}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Process',
      panels: [
        {
          title: 'CPU (cores)',
          description: 'CPU time per second of each gateway process (process_cpu_seconds_total).',
          unit: 'short',
          queries: [
            {
              expr: `rate(process_cpu_seconds_total${on('job="autograph-gateway"')}[${RATE}])`,
              legend: '{{instance}}',
            },
          ],
        },
        {
          title: 'Resident memory',
          description: 'process_resident_memory_bytes; MemoryHigh fires above 1.5 GB.',
          unit: 'bytes',
          queries: [{ expr: `process_resident_memory_bytes${on('job="autograph-gateway"')}`, legend: '{{instance}}' }],
        },
        {
          title: 'Event loop lag p99',
          description:
            'nodejs_eventloop_lag_p99_seconds: time a ready callback waits; EventLoopLag fires above 200 ms.',
          unit: 's',
          thresholds: [{ value: 0.2, color: 'red' }],
          queries: [
            { expr: `nodejs_eventloop_lag_p99_seconds${on('job="autograph-gateway"')}`, legend: '{{instance}}' },
          ],
        },
      ],
    },
  ],
});
