import { createGatewayRuntime } from '@graphql-hive/gateway';
import { createLogger, type Logger } from '../kit/log';
import { stopServer, withAbsoluteUrl, type RunningService } from '../kit/service';
import type { GatewayOptions } from './config';
import { detachRuntimeSignalDisposal } from './resilience/graceful-shutdown';
import { createGateway } from './runtime';
import { boundRequestId } from './security';
import { DEFAULT_METRICS_ENDPOINT } from './telemetry/use-metrics';
import { startWorker } from './workers/worker';
import { graphqlWebSocket } from './websocket';

/**
 * Hive Gateway on Bun.serve: we own the port, readiness and shutdown.
 * Shutdown drains: /readiness turns 503 first and stays so for DRAIN_DELAY_MS while requests are
 * still served (load balancers stop sending), in-flight requests finish (Bun's server.stop waits
 * for them), then the runtime and the chain are disposed.
 * As one of several workers (GATEWAY_WORKERS, gateway/workers/) it shares the port with its
 * siblings (SO_REUSEPORT: the kernel spreads connections) and /metrics answers for all of them.
 */
export async function startGateway(
  options: GatewayOptions,
  logger: Logger = createLogger('gateway', options.logLevel),
): Promise<RunningService> {
  const gateway = createGateway(options, logger);
  const runtime = createGatewayRuntime(gateway.config);
  // We drain on SIGTERM ourselves (stop() below); Hive's adapter would abort in-flight requests.
  detachRuntimeSignalDisposal();
  let draining = false;
  const { worker } = options.workers;
  const role = worker
    ? startWorker({
        worker,
        metrics: gateway.metrics,
        access: options.telemetry.metrics.enabled ? options.telemetry.metrics : null,
        endpoint: DEFAULT_METRICS_ENDPOINT,
        logger,
      })
    : null;

  const sockets = graphqlWebSocket(runtime);
  const server = Bun.serve({
    port: options.port,
    hostname: '0.0.0.0',
    reusePort: role !== null,
    websocket: sockets.handler,
    async fetch(received, bunServer) {
      if (sockets.upgrade(received, bunServer, bunServer.requestIP(received)?.address)) return undefined;
      const request = withAbsoluteUrl(received);
      // A subscription over SSE is quiet between events (Yoga pings every 12 s): no idle timeout for it.
      if (received.headers.get('accept')?.includes('text/event-stream')) bunServer.timeout(received, 0);
      if (role) {
        const own = role.fastPath(request);
        if (own) return own;
      }
      if (new URL(request.url).pathname === '/readiness') {
        if (draining) return Response.json({ ready: false, reason: 'shutting down' }, { status: 503 });
        const chain = await gateway.ready();
        if (!chain.ready) return Response.json({ ready: false, notReady: chain.notReady }, { status: 503 });
        // Serving, but from the copy kept on disk while the registry is down: ready, and saying so.
        const origin = gateway.supergraphOrigin();
        if (origin.from === 'cache-file') return Response.json({ ready: true, supergraph: origin });
      }
      boundRequestId(request);
      const pending = gateway.fastPath(request);
      const fast = pending && (await pending);
      if (fast) return fast;
      // The TCP peer: rate limits per client address (gateway/rate-limit/identity.ts).
      // The TCP peer, looked up on the request Bun.serve handed in, and only past the fast path.
      return runtime(request, { remoteAddress: bunServer.requestIP(received)?.address });
    },
  });

  return {
    name: 'gateway',
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      draining = true;
      // Load balancers learn of the shutdown from /readiness: keep serving (503 there) until they have looked.
      if (options.resilience.drainDelayMs) await Bun.sleep(options.resilience.drainDelayMs);
      const ended = gateway.endSubscriptions();
      if (ended) logger.info({ subscriptions: ended }, 'ended open subscriptions: shutting down');
      await stopServer(server);
      await role?.stop();
      await runtime[Symbol.asyncDispose]();
      await gateway.dispose();
    },
  };
}
