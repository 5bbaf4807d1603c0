import { useJWT, type GatewayConfig, type GatewayPlugin } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { readFileSync } from 'node:fs';
import type { Logger } from '../kit/log';
import type { GatewayOptions } from './config';
import { createRegistrySupergraphSource } from './supergraph-source';
import { useErrorCodes } from './plugins/use-error-codes';
import { useUsageReporting } from './plugins/use-usage-reporting';
import { jwksSigningKeys } from './signing-keys';

/**
 * The gateway's configuration, shared by our Bun server (gateway/server.ts) and
 * `gateway.config.ts` for the stock hive-gateway CLI. The production plugin chain (caching,
 * rate limits, breakers, telemetry) plugs into `plugins` below.
 */
export function createGatewayConfig(options: GatewayOptions, logger: Logger): GatewayConfig<Record<string, any>> {
  const source = options.supergraphFile
    ? () => readFileSync(options.supergraphFile!, 'utf8')
    : createRegistrySupergraphSource({
        registryUrl: options.registry.url,
        target: options.registry.target,
        token: options.registry.token,
        logger,
      }).load;

  return {
    supergraph: source,
    pollingInterval: options.pollIntervalMs,
    // The Rust query planner: about twice the throughput of the JS planner on this stack.
    unifiedGraphHandler,
    // In-flight requests finish on the old supergraph when a new one arrives.
    gracefulSchemaReload: { drainTimeout: 30_000 },
    logging: options.logLevel === 'silent' || options.logLevel === 'fatal' ? false : options.logLevel === 'trace' ? 'debug' : options.logLevel,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthcheck',
    readinessCheckEndpoint: '/readiness',
    landingPage: false,
    // Subgraphs verify the bearer token themselves; nothing else from the client reaches them.
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => {
        const authorization = request.headers.get('authorization');
        return authorization ? { authorization } : {};
      },
    },
    plugins: () => [
      // plugin-jwt-auth bundles its own copy of the gateway's types (nominal Logger class),
      // so its plugin type does not unify with this config's; the runtime shapes are the same.
      useJWT({
        signingKeyProviders: [jwksSigningKeys(options.jwt.jwksUrl)],
        tokenVerification: { issuer: options.jwt.issuer, audience: options.jwt.audience, algorithms: ['ES256'] },
        // Anonymous reads are allowed; a token that is present must be valid.
        reject: { missingToken: false, invalidToken: true },
      }) as unknown as GatewayPlugin,
      useErrorCodes(),
      ...(options.usage.enabled
        ? [useUsageReporting({ registryUrl: options.registry.url, target: options.registry.target, token: options.registry.token, ...options.usage, logger })]
        : []),
    ],
  };
}
