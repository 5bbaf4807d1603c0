import { createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { trace } from '@opentelemetry/api';
import { getOperationAST, type GraphQLSchema } from 'graphql';
import { register } from 'prom-client';
import { DEFAULT_HOST, parseConfig } from '../../kit/config';
import type { Logger } from '../../kit/log';
import { metricsAccess } from '../../kit/metrics-access';
import { localUrl, stopServer, withAbsoluteUrl, type RunningService } from '../../kit/service';
import {
  collectProcessMetrics,
  flushTracing,
  metricsEnv,
  startTracing,
  traceRequest,
  tracingEnv,
} from '../../kit/telemetry';
import { isDatabaseUnavailable } from '../../kit/db-errors';
import type { BaseContext, Viewer } from './context';
import { serviceUnavailable } from './errors';
import { useRequestBodyLimit } from './body-limit';
import { useChangedEntities } from './changed-entities';
import { useStringInputGuard } from './input-guard';
import { useQueryLimits, type SubgraphQueryLimits } from './limits';
import { useOperationMetrics } from './operation-metrics';
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
  const guardMetrics = metricsAccess({ endpoint: '/metrics', token: metrics.token, served: metrics.served });
  collectProcessMetrics();
  const yoga = createYoga<Record<string, unknown>, Ctx>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    // Checked by useRequestBodyLimit instead, which streams a body through a counter only when it declares no length.
    maxRequestBodySize: false,
    logging: yogaLogging(options.logger),
    maskedErrors: {
      // A database that cannot be reached is not an internal error the client can do nothing about.
      maskError: (error, message, isDev) => {
        if (!isDatabaseUnavailable(error)) return maskError(error, message, isDev);
        options.logger.warn({ err: error }, 'database unreachable; answered SERVICE_UNAVAILABLE');
        return serviceUnavailable();
      },
    },
    context: async ({ request }) => options.extendContext({ request, viewer: await options.viewerFrom(request) }),
    plugins: [
      // Before any resolver, in this order: input that is not text, operations too large, then
      // (mutations only) an account that no longer exists or is deactivated.
      useRequestBodyLimit(),
      useStringInputGuard(),
      ...useQueryLimits(options.limits),
      usePrincipalCheck(options.principals, options.logger),
      useChangedEntities(),
      ...(metrics.enabled ? [useOperationMetrics(options.maxOperationNames)] : []),
      ...(tracing ? [useOperationSpan()] : []),
    ],
  });

  const routes: Record<string, RouteHandler> = {
    '/healthcheck': () => Response.json({ status: 'ok', service: options.name }),
    '/readiness': async () => {
      const ok = await options.ready().catch(() => false);
      return Response.json({ ready: ok }, { status: ok ? 200 : 503 });
    },
    '/metrics': async (request) =>
      guardMetrics(request) ??
      new Response(await register.metrics(), { headers: { 'content-type': register.contentType } }),
    ...options.routes,
  };

  const hostname = options.hostname ?? DEFAULT_HOST;
  const server = Bun.serve({
    port: options.port,
    hostname,
    fetch: (received, bunServer) => {
      const request = withAbsoluteUrl(received);
      // A subscription over SSE is quiet between events (Yoga pings every 12 s): no idle timeout for it.
      if (received.headers.get('accept')?.includes('text/event-stream')) bunServer.timeout(received, 0);
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
      await stopServer(server); // waits for in-flight requests; open subscription streams are closed after a grace
      await options.onStop?.();
      await flushTracing();
    },
  };
}
