/**
 * Hive Gateway configuration for the stock CLI (`bunx hive-gateway supergraph -c gateway.config.ts`).
 * `bun start` runs the same configuration through gateway/server.ts on Bun.serve.
 * Every setting comes from the environment; see the README's configuration table.
 */
import { defineConfig } from '@graphql-hive/gateway';
import { createLogger } from './kit/log';
import { readGatewayEnv } from './gateway/config';
import { createGateway } from './gateway/runtime';

const options = readGatewayEnv();
const gateway = createGateway(options, createLogger('gateway', options.logLevel));

export const gatewayConfig = defineConfig({ ...gateway.config, port: options.port });

/**
 * What runs before the runtime in gateway/server.ts (the response cache's fast path), for tools
 * that serve this config themselves (the perf lab's profiler). The stock CLI does not use it.
 */
export const gatewayFastPath = gateway.fastPath;
