import type { createTestIssuer } from '../../tests/support/tokens';
import { readGatewayEnv, type GatewayOptions } from '../config';

/**
 * A test gateway's options against a registry of the test's own (no shared system): fast polling,
 * no usage reports, no copy on disk, tokens from the test's issuer. `env` overrides.
 */
export const registryGatewayOptions = (
  registry: { url: string; token: string; target?: string },
  issuer: Awaited<ReturnType<typeof createTestIssuer>>,
  env: Record<string, string> = {},
): GatewayOptions =>
  readGatewayEnv({
    GATEWAY_PORT: '0',
    REGISTRY_URL: registry.url,
    REGISTRY_TARGET: registry.target ?? 'main',
    REGISTRY_TOKEN: registry.token,
    SUPERGRAPH_POLL_INTERVAL_MS: '500',
    JWKS_URL: issuer.jwksUrl,
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    USAGE_REPORTING: 'off',
    SUPERGRAPH_CACHE_FILE: 'off',
    LOG_LEVEL: 'silent',
    ...env,
  });
