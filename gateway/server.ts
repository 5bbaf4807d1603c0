import { createGatewayRuntime } from '@graphql-hive/gateway';
import { createLogger, type Logger } from '../kit/log';
import type { RunningService } from '../kit/service';
import type { GatewayOptions } from './config';
import { createGatewayConfig } from './runtime';

/** Hive Gateway on Bun.serve: we own the port, shutdown and (later) the request fast path. */
export async function startGateway(options: GatewayOptions, logger: Logger = createLogger('gateway', options.logLevel)): Promise<RunningService> {
  const gateway = createGatewayRuntime(createGatewayConfig(options, logger));
  const server = Bun.serve({ port: options.port, hostname: '0.0.0.0', fetch: gateway });
  return {
    name: 'gateway',
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      await server.stop();
      await gateway[Symbol.asyncDispose]();
    },
  };
}
