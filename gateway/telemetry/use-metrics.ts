import type { GatewayPlugin } from '@graphql-hive/gateway';
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { GatewayMetrics } from '../metrics';
import { boundedLabel, DEFAULT_MAX_OPERATION_NAMES } from '../../kit/bounded-label';
import { seriesCache } from './series-cache';

export const DEFAULT_METRICS_ENDPOINT = '/metrics';

/** prom-client's default buckets (seconds) plus 0.2: the latency SLO (p95 < 200 ms) is read at le="0.2". */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Error codes that say the gateway or a subgraph failed, not the client. A subgraph that is down
 * leaves its fields null and the answer HTTP 200 (gateway/resilience), so an answer below 500
 * with one of these failed in part: the availability SLO (infra/prometheus/slo.yml) counts it as
 * a failure. Codes as they are when this concern sees the result, first in the chain (an uncoded
 * subgraph error is still DOWNSTREAM_SERVICE_ERROR, masked later).
 */
export const SERVER_ERROR_CODES: ReadonlySet<string> = new Set([
  'INTERNAL_SERVER_ERROR',
  'DOWNSTREAM_SERVICE_ERROR',
  'SUBGRAPH_UNAVAILABLE',
  'GATEWAY_TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'AUTH_UNAVAILABLE',
  'PERSISTED_QUERY_UNAVAILABLE',
  'RATE_LIMIT_UNAVAILABLE',
]);

const hasServerError = (result: unknown): boolean => {
  const errors = (result as { errors?: readonly { extensions?: { code?: unknown } }[] } | null)?.errors;
  return Array.isArray(errors) && errors.some((error) => SERVER_ERROR_CODES.has(error?.extensions?.code as string));
};

export interface MetricsOptions {
  /** The gateway's metrics: these series are registered beside the other concerns', one endpoint serves them all. */
  metrics: GatewayMetrics;
  /** The GraphQL endpoint whose answers are counted (default `/graphql`). */
  graphqlEndpoint?: string;
  /**
   * Label series with the operation name (default true). Names are chosen by clients: where
   * clients are not held to known documents, an attacker can mint a series per request, so this
   * can be turned off (METRICS_OPERATION_NAMES=off) to keep only the operation type.
   */
  operationNames?: boolean;
  /** With names: distinct names with series of their own; later ones are `(other)` (default 200). */
  maxOperationNames?: number;
}

/** The operation a request runs: found once per document and requested name. */
interface Operation {
  type: string;
  name: string;
}

/**
 * What the gateway measures, under the names and labels of Hive Gateway's Prometheus plugin (so
 * stock dashboards work): requests, durations and errors per operation, the execution phase,
 * HTTP durations, subgraph calls and upstream fetches, schema changes; plus every answer of the
 * GraphQL endpoint by status, rejections included.
 *
 * Hand-written rather than Hive's `usePrometheus` (three stacked plugins: @graphql-mesh's,
 * @envelop's and Yoga's): those rebuild a label object and look its series up by hashing it on
 * every hook of every request, parse the URL of every request, and keep a parse hook for labels
 * they never use, 0.26 ms of CPU per request on this machine (perf/results/chain-*.md). Here each
 * series is bound once per label tuple (`seriesCache`) and the operation is found once per document.
 * Left out, as before: the request summary, deprecated-field counts (usage reporting records them),
 * and parse/validate/context phase histograms (cached phases taking microseconds).
 */
export function useMetrics(options: MetricsOptions): GatewayPlugin[] {
  const { metrics } = options;
  const graphqlEndpoint = options.graphqlEndpoint ?? '/graphql';
  const withNames = options.operationNames ?? true;
  const boundedName = boundedLabel(options.maxOperationNames ?? DEFAULT_MAX_OPERATION_NAMES);
  // Subgraph calls are named by the planner (the Rust planner sends none: "Anonymous"); bounded
  // apart all the same, in case a runtime passes the client's name on.
  const boundedCallName = boundedLabel(options.maxOperationNames ?? DEFAULT_MAX_OPERATION_NAMES);
  const operationLabels = withNames ? (['operationType', 'operationName'] as const) : (['operationType'] as const);
  const counter = (name: string, help: string, labelNames: readonly string[]) =>
    seriesCache(metrics.counter({ name, help, labelNames }));
  const histogram = (name: string, help: string, labelNames: readonly string[]) =>
    seriesCache(metrics.histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS }));

  const requests = counter(
    'graphql_envelop_request',
    'Counts the amount of GraphQL requests executed through Envelop',
    operationLabels,
  );
  const requestDuration = histogram(
    'graphql_envelop_request_duration',
    'Time spent on running the GraphQL operation from parse to execution end',
    operationLabels,
  );
  const executeDuration = histogram(
    'graphql_envelop_phase_execute',
    'Time spent on running the GraphQL "execute" function',
    operationLabels,
  );
  const subscribeDuration = histogram(
    'graphql_envelop_phase_subscribe',
    'Time spent on running the GraphQL "subscribe" function',
    operationLabels,
  );
  const errors = counter('graphql_envelop_error_result', 'Counts the amount of errors reported from all phases', [
    ...operationLabels,
    'phase',
  ]);
  const schemaChanges = metrics.counter({
    name: 'graphql_envelop_schema_change',
    help: 'Counts the amount of schema changes',
  });
  const httpDuration = histogram('graphql_yoga_http_duration', 'Time spent on HTTP connection', [
    'method',
    'statusCode',
    ...operationLabels,
  ]);
  const fetchDuration = histogram('graphql_gateway_fetch_duration', 'Time spent on outgoing HTTP calls', [
    'method',
    'statusCode',
    'statusText',
  ]);
  const subgraphLabels = withNames
    ? (['subgraphName', 'operationName', 'operationType'] as const)
    : (['subgraphName', 'operationType'] as const);
  const subgraphDuration = histogram(
    'graphql_gateway_subgraph_execute_duration',
    'Time spent on subgraph execution',
    subgraphLabels,
  );
  const subgraphErrors = counter(
    'graphql_gateway_subgraph_execute_errors',
    'Number of errors on subgraph execution',
    subgraphLabels,
  );
  // Yoga's HTTP histogram observes only requests whose document was parsed: everything answered
  // before that (a 429 from the request budget, a 413, a 401 from the JWT check, an early cache
  // hit) would be counted nowhere. This counts every answer of the GraphQL endpoint by status.
  const responses = counter(
    'autograph_gateway_http_responses_total',
    'Answers of the GraphQL endpoint by HTTP status, those given before any GraphQL processing (rejections, early cache hits) included',
    ['status'],
  );
  const partialFailures = metrics.counter({
    name: 'autograph_gateway_http_partial_failures_total',
    help: 'Answers of the GraphQL endpoint below HTTP 500 that carry a server-side error (a subgraph unavailable or timed out, an internal error): the request failed in part',
  });

  const operations = new WeakMap<DocumentNode, Map<string, Operation>>();
  const operationOf = (document: DocumentNode, requested: string | undefined | null): Operation => {
    let byName = operations.get(document);
    if (!byName) operations.set(document, (byName = new Map()));
    const key = requested ?? '';
    let operation = byName.get(key);
    if (!operation) {
      const definition = document.definitions.find(
        (node): node is OperationDefinitionNode =>
          node.kind === Kind.OPERATION_DEFINITION && (!requested || node.name?.value === requested),
      );
      operation = {
        type: definition?.operation ?? 'query',
        name: withNames ? boundedName(requested || definition?.name?.value || 'Anonymous') : '',
      };
      byName.set(key, operation);
    }
    return operation;
  };
  const labelsOf = (operation: Operation) => (withNames ? [operation.type, operation.name] : [operation.type]);

  /** Per request: when it arrived and, once parsed, its operation (the context is made per request). */
  const started = new WeakMap<Request, number>();
  const operationOfRequest = new WeakMap<Request, Operation>();
  const failedInPart = new WeakSet<Request>();
  const requestOf = (context: unknown) => (context as { request?: Request } | undefined)?.request;

  const countError = (operation: Operation | undefined, phase: string, count = 1) =>
    errors.get(...(operation ? labelsOf(operation) : withNames ? ['query', 'Anonymous'] : ['query']), phase).inc(count);

  const plugin: GatewayPlugin = {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onParse({ context }) {
      return ({ result }) => {
        if (result instanceof Error || !result) return countError(undefined, 'parse');
        const request = requestOf(context);
        const name = (context as { params?: { operationName?: string } }).params?.operationName;
        if (request) operationOfRequest.set(request, operationOf(result, name));
      };
    },
    onValidate({ context }) {
      return ({ valid, result }) => {
        if (!valid) countError(operationOfRequest.get(requestOf(context)!), 'validate', result.length || 1);
      };
    },
    onExecute({ args }) {
      const operation = operationOf(args.document, args.operationName);
      const request = requestOf(args.contextValue);
      const executeStarted = performance.now();
      return {
        onExecuteDone({ result }) {
          const now = performance.now();
          const labels = labelsOf(operation);
          if ('errors' in result && result.errors?.length) countError(operation, 'execute', result.errors.length);
          executeDuration.get(...labels).observe((now - executeStarted) / 1000);
          requestDuration.get(...labels).observe((now - ((request && started.get(request)) ?? executeStarted)) / 1000);
          requests.get(...labels).inc();
        },
      };
    },
    onSubscribe({ args }) {
      const operation = operationOf(args.document, args.operationName);
      const subscribeStarted = performance.now();
      return {
        onSubscribeResult() {
          const labels = labelsOf(operation);
          subscribeDuration.get(...labels).observe((performance.now() - subscribeStarted) / 1000);
          requests.get(...labels).inc();
        },
        onSubscribeError() {
          countError(operation, 'subscribe');
        },
      };
    },
    onSchemaChange() {
      schemaChanges.inc();
    },
    onSubgraphExecute({ subgraphName, executionRequest }) {
      const callStarted = performance.now();
      const type = executionRequest.operationType ?? 'query';
      const labels = withNames
        ? [subgraphName, boundedCallName(executionRequest.operationName || 'Anonymous'), type]
        : [subgraphName, type];
      return ({ result }) => {
        if (!result || Symbol.asyncIterator in (result as object)) return;
        const failures = (result as { errors?: readonly unknown[] }).errors?.length;
        if (failures) subgraphErrors.get(...labels).inc(failures);
        subgraphDuration.get(...labels).observe((performance.now() - callStarted) / 1000);
      };
    },
    onFetch({ options: init }) {
      const fetchStarted = performance.now();
      return ({ response }) => {
        fetchDuration
          .get(init.method ?? 'GET', String(response.status), response.statusText)
          .observe((performance.now() - fetchStarted) / 1000);
      };
    },
    onResultProcess({ request, result }) {
      if (!Array.isArray(result) && hasServerError(result)) failedInPart.add(request);
    },
    onResponse({ request, response }) {
      if (pathOf(request.url) !== graphqlEndpoint) return;
      responses.get(String(response.status)).inc();
      if (response.status < 500 && failedInPart.has(request)) partialFailures.inc();
      const operation = operationOfRequest.get(request);
      const since = started.get(request);
      if (operation && since !== undefined)
        httpDuration
          .get(request.method, String(response.status), ...labelsOf(operation))
          .observe((performance.now() - since) / 1000);
    },
  };
  return [plugin];
}

/** The path of an absolute URL, without parsing all of it (this runs for every answer). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const query = url.indexOf('?', start);
  return url.slice(start, query < 0 ? undefined : query);
}
