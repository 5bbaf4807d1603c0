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

export const gatewayConfig = defineConfig({
  ...createGateway(options, createLogger('gateway', options.logLevel)).config,
  port: options.port,
});
