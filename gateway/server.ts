import { createGatewayRuntime } from '@graphql-hive/gateway';
import { createLogger, type Logger } from '../kit/log';
import type { RunningService } from '../kit/service';
import type { GatewayOptions } from './config';
import { createGateway } from './runtime';

/**
 * Hive Gateway on Bun.serve: we own the port, readiness and shutdown.
 * Shutdown drains: /readiness turns 503 first (load balancers stop sending), in-flight requests
 * finish (Bun's server.stop waits for them), then the chain and the runtime are disposed.
 */
export async function startGateway(options: GatewayOptions, logger: Logger = createLogger('gateway', options.logLevel)): Promise<RunningService> {
  const gateway = createGateway(options, logger);
  const runtime = createGatewayRuntime(gateway.config);
  let draining = false;

  const server = Bun.serve({
    port: options.port,
    hostname: '0.0.0.0',
    async fetch(request) {
      if (new URL(request.url).pathname === '/readiness') {
        if (draining) return Response.json({ ready: false, reason: 'shutting down' }, { status: 503 });
        const chain = await gateway.ready();
        if (!chain.ready) return Response.json({ ready: false, notReady: chain.notReady }, { status: 503 });
      }
      return runtime(request);
    },
  });

  return {
    name: 'gateway',
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      draining = true;
      await server.stop();
      await runtime[Symbol.asyncDispose]();
      await gateway.dispose();
    },
  };
}
