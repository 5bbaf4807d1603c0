import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import {
  createCounter,
  createHistogram,
  usePrometheus,
  type FillLabelsFnParams,
} from '@graphql-yoga/plugin-prometheus';
import { trace } from '@opentelemetry/api';
import { getOperationAST, type GraphQLSchema } from 'graphql';
import { register } from 'prom-client';
import { DEFAULT_HOST, parseConfig } from '../../kit/config';
import type { Logger } from '../../kit/log';
import { localUrl, type RunningService } from '../../kit/service';
import {
  collectProcessMetrics,
  flushTracing,
  metricsEnv,
  pluginMetricsRegistry,
  startTracing,
  traceRequest,
  tracingEnv,
} from '../../kit/telemetry';
import type { BaseContext, Viewer } from './context';
import { useStringInputGuard } from './input-guard';
import { useQueryLimits, type SubgraphQueryLimits } from './limits';
import { usePrincipalCheck, type PrincipalDirectory } from './principals';

export type RouteHandler = (request: Request) => Response | Promise<Response>;

export interface SubgraphServerOptions<Ctx extends BaseContext> {
  name: string;
  schema: GraphQLSchema;
  port: number;
  /** Address to listen on; default kit/config's DEFAULT_HOST (loopback). */
  hostname?: string;
  logger: Logger;
  /** Establishes the caller from the request (token verification). */
  viewerFrom: (request: Request) => Promise<Viewer | null>;
  /** Adds the subgraph's own dependencies to each request's context. */
  extendContext: (base: BaseContext) => Ctx;
  /** Readiness beyond "the process is up", e.g. a `select 1`. */
  ready: () => Promise<boolean>;
  /** Extra plain-HTTP routes, e.g. users' JWKS. */
  routes?: Record<string, RouteHandler>;
  /** Releases the subgraph's resources after the HTTP server stopped accepting requests. */
  onStop?: () => Promise<void>;
  /** Distinct operation names labelled in the metrics; default DEFAULT_MAX_OPERATION_NAMES. */
  maxOperationNames?: number;
  /** Depth, alias, token, directive, cost and representation limits; each defaults to DEFAULT_SUBGRAPH_QUERY_LIMITS. */
  limits?: Partial<SubgraphQueryLimits>;
  /** Tells whether the account behind a write is still active; without one, signed-in mutations are refused. */
  principals?: PrincipalDirectory;
}

/** Probes and scrapes are not traced: a span per health check would drown the traces that matter. */
const UNTRACED_ROUTES = new Set(['/healthcheck', '/readiness', '/metrics']);

/**
 * Operation names are chosen by clients, and every distinct label value is a series prom-client
 * keeps for the life of the process: past this many distinct names per server, further names are
 * counted as OTHER_OPERATIONS.
 */
export const DEFAULT_MAX_OPERATION_NAMES = 200;
export const OTHER_OPERATIONS = '(other)';

/**
 * Operations per subgraph, named `autograph_subgraph_*` so they never collide with the gateway's
 * `graphql_envelop_*` when both run in one process. Labels: operation type and (bounded) operation
 * name only (`phase`/`path` are per-error detail with unbounded values). The plugin's own /metrics
 * route is off: the framework serves /metrics for the whole registry.
 */
function subgraphMetrics(maxOperationNames: number) {
  const named = new Set<string>();
  const operationName = (name = 'Anonymous') => {
    if (named.has(name)) return name;
    if (named.size >= maxOperationNames) return OTHER_OPERATIONS;
    named.add(name);
    return name;
  };
  type Label = 'operationType' | 'operationName';
  const labelNames: Label[] = ['operationType', 'operationName'];
  const fillLabelsFn = (params: FillLabelsFnParams) => ({
    operationType: params.operationType ?? 'unknown',
    operationName: operationName(params.operationName),
  });
  const registry = pluginMetricsRegistry;
  return {
    graphql_envelop_request: createCounter<'execute' | 'subscribe', Label>({
      registry,
      counter: {
        name: 'autograph_subgraph_operations_total',
        help: 'GraphQL operations executed by the subgraph',
        labelNames,
      },
      fillLabelsFn,
    }),
    graphql_envelop_request_duration: createHistogram<'execute' | 'subscribe', Label>({
      registry,
      histogram: {
        name: 'autograph_subgraph_operation_duration_seconds',
        help: 'Time from parse to the end of execution of an operation',
        labelNames,
      },
      fillLabelsFn,
    }),
    graphql_envelop_error_result: createCounter<'parse' | 'validate' | 'context' | 'execute' | 'subscribe', Label>({
      registry,
      counter: {
        name: 'autograph_subgraph_operation_errors_total',
        help: 'Errors in GraphQL operations, from every phase',
        labelNames,
      },
      fillLabelsFn,
    }),
    graphql_envelop_request_time_summary: false,
    graphql_envelop_phase_parse: false,
    graphql_envelop_phase_validate: false,
    graphql_envelop_phase_context: false,
    graphql_envelop_phase_execute: false,
    graphql_envelop_phase_subscribe: false,
    graphql_envelop_deprecated_field: false,
    graphql_envelop_schema_change: false,
    graphql_yoga_http_duration: false,
  } as const;
}

/** Yoga's log calls as pino lines: the first argument is the message (or the error), the rest details. */
function yogaLogging(logger: Logger) {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (first: unknown, ...rest: unknown[]) => {
      const details = rest.length ? { details: rest } : {};
      if (first instanceof Error)
        logger[level]({ err: first, ...details }, first.message); // kit/log keeps SQL parameters out
      else logger[level](details, String(first));
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Puts the GraphQL operation (type, name, error count) on the request's server span. */
function useOperationSpan(): Plugin {
  return {
    onExecute({ args }) {
      const span = trace.getActiveSpan();
      if (!span?.isRecording()) return;
      const operation = getOperationAST(args.document, args.operationName);
      span.setAttributes({
        'graphql.operation.type': operation?.operation ?? 'unknown',
        'graphql.operation.name': operation?.name?.value ?? '',
      });
      return {
        onExecuteDone({ result }) {
          if ('errors' in result && result.errors?.length)
            span.setAttribute('graphql.error.count', result.errors.length);
        },
      };
    },
  };
}

/**
 * The one way a subgraph serves: Yoga on Bun.serve with /graphql, /healthcheck, /readiness and
 * /metrics (prom-client default registry: operations, SQL statement counts, process metrics).
 * Requests continue the caller's trace when OTEL_EXPORTER_OTLP_ENDPOINT is set (kit/telemetry);
 * METRICS=off leaves out the per-operation metrics.
 */
export function serveSubgraph<Ctx extends BaseContext>(
  options: SubgraphServerOptions<Ctx>,
): RunningService & {
  yoga: YogaServerInstance<Record<string, unknown>, Ctx>;
} {
  const tracing = startTracing(options.name, parseConfig(tracingEnv), options.logger);
  const metrics = parseConfig(metricsEnv);
  collectProcessMetrics();
  const yoga = createYoga<Record<string, unknown>, Ctx>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    logging: yogaLogging(options.logger),
    context: async ({ request }) => options.extendContext({ request, viewer: await options.viewerFrom(request) }),
    plugins: [
      // Before any resolver, in this order: input that is not text, operations too large, then
      // (mutations only) an account that no longer exists or is deactivated.
      useStringInputGuard(),
      ...useQueryLimits(options.limits),
      usePrincipalCheck(options.principals, options.logger),
      ...(metrics.enabled
        ? [
            usePrometheus({
              registry: pluginMetricsRegistry,
              endpoint: false,
              metrics: subgraphMetrics(options.maxOperationNames ?? DEFAULT_MAX_OPERATION_NAMES),
              labels: { phase: false, path: false },
            }),
          ]
        : []),
      ...(tracing ? [useOperationSpan()] : []),
    ],
  });

  const routes: Record<string, RouteHandler> = {
    '/healthcheck': () => Response.json({ status: 'ok', service: options.name }),
    '/readiness': async () => {
      const ok = await options.ready().catch(() => false);
      return Response.json({ ready: ok }, { status: ok ? 200 : 503 });
    },
    '/metrics': async () =>
      new Response(await register.metrics(), { headers: { 'content-type': register.contentType } }),
    ...options.routes,
  };

  const hostname = options.hostname ?? DEFAULT_HOST;
  const server = Bun.serve({
    port: options.port,
    hostname,
    fetch: (request) => {
      const path = new URL(request.url).pathname;
      const route = routes[path];
      const handle = () => (route ? route(request) : yoga.fetch(request));
      return UNTRACED_ROUTES.has(path) ? handle() : traceRequest(request, handle);
    },
  });

  return {
    name: options.name,
    url: localUrl(hostname, server.port!),
    yoga,
    async stop() {
      await server.stop(); // waits for in-flight requests
      await options.onStop?.();
      await flushTracing();
    },
  };
}
