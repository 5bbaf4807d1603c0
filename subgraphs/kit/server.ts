import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { register } from 'prom-client';
import type { Logger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import type { BaseContext, Viewer } from './context';

export type RouteHandler = (request: Request) => Response | Promise<Response>;

export interface SubgraphServerOptions<Ctx extends BaseContext> {
  name: string;
  schema: GraphQLSchema;
  port: number;
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
}

/**
 * The one way a subgraph serves: Yoga on Bun.serve with /graphql, /healthcheck, /readiness and
 * /metrics (prom-client default registry: SQL statement counts, process metrics).
 */
export function serveSubgraph<Ctx extends BaseContext>(options: SubgraphServerOptions<Ctx>): RunningService & {
  yoga: YogaServerInstance<Record<string, unknown>, Ctx>;
} {
  const yoga = createYoga<Record<string, unknown>, Ctx>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    logging: {
      debug: (...args) => options.logger.debug(args),
      info: (...args) => options.logger.info(args),
      warn: (...args) => options.logger.warn(args),
      error: (...args) => options.logger.error(args),
    },
    context: async ({ request }) => options.extendContext({ request, viewer: await options.viewerFrom(request) }),
  });

  const routes: Record<string, RouteHandler> = {
    '/healthcheck': () => Response.json({ status: 'ok', service: options.name }),
    '/readiness': async () => {
      const ok = await options.ready().catch(() => false);
      return Response.json({ ready: ok }, { status: ok ? 200 : 503 });
    },
    '/metrics': async () => new Response(await register.metrics(), { headers: { 'content-type': register.contentType } }),
    ...options.routes,
  };

  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname ?? '0.0.0.0',
    fetch: (request) => {
      const route = routes[new URL(request.url).pathname];
      return route ? route(request) : yoga.fetch(request);
    },
  });

  const host = options.hostname && options.hostname !== '0.0.0.0' ? options.hostname : '127.0.0.1';
  return {
    name: options.name,
    url: `http://${host}:${server.port}`,
    yoga,
    async stop() {
      await server.stop(); // waits for in-flight requests
      await options.onStop?.();
    },
  };
}
