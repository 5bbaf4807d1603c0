import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGatewayEnv } from '../../gateway/config';
import { startGateway } from '../../gateway/server';
import { createLogger } from '../../kit/log';
import { dropKeysWithPrefix } from '../support/queues';

/**
 * The two gateways a case is run through, and the small services ours needs to run with every
 * concern of its production chain on (a JWKS for JWT verification, an OTLP sink for traces).
 */

export const REDIS_URL = 'redis://127.0.0.1:6379';
const JWT_ISSUER = 'autograph';
const JWT_AUDIENCE = 'autograph-api';

export interface Gateway {
  url: string;
  stop(): Promise<void>;
}

/** The oracle: stock Hive Gateway with the Rust planner, the supergraph as a string, no plugins. */
export function startOracle(supergraph: string): Gateway {
  const runtime = createGatewayRuntime({ supergraph, unifiedGraphHandler, logging: false });
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (request) => runtime(request) });
  return {
    url: `http://127.0.0.1:${server.port}/graphql`,
    async stop() {
      await server.stop(true);
      await runtime[Symbol.asyncDispose]();
    },
  };
}

export interface SideServices {
  jwksUrl: string;
  otlpUrl: string;
  /** OTLP trace exports received (our gateway flushes its spans when it stops). */
  spanExports(): number;
  /** An access token our gateway accepts (signed with the key the JWKS publishes). */
  token(subject: string): Promise<string>;
  /** A well-formed token signed with a key nobody published: must be refused. */
  forgedToken(): Promise<string>;
  stop(): void;
}

/**
 * JWT verification stays on with no users subgraph: our gateway fetches keys from a JWKS served
 * here. Its JWT plugin lets requests without a token through (anonymous reads) and refuses bad
 * ones, so the oracle's anonymous queries run unchanged while verification is really configured.
 * Tracing is on too: spans go to a sink that only counts them.
 */
export async function startSideServices(): Promise<SideServices> {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const forged = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(signing.publicKey)), kid: 'oracle-key', alg: 'ES256', use: 'sig' };
  const jwks = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json({ keys: [jwk] }) });
  let exports = 0;
  const otlp = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      await request.arrayBuffer();
      if (request.method === 'POST' && new URL(request.url).pathname === '/v1/traces') exports++;
      return Response.json({});
    },
  });
  const sign = (key: CryptoKey, subject: string) =>
    new SignJWT({ roles: [] })
      .setProtectedHeader({ alg: 'ES256', kid: 'oracle-key' })
      .setSubject(subject)
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);
  return {
    jwksUrl: `http://127.0.0.1:${jwks.port}/.well-known/jwks.json`,
    otlpUrl: `http://127.0.0.1:${otlp.port}`,
    spanExports: () => exports,
    token: (subject) => sign(signing.privateKey, subject),
    forgedToken: () => sign(forged.privateKey, 'forger'),
    stop() {
      jwks.stop(true);
      otlp.stop(true);
    },
  };
}

/**
 * Our gateway exactly as production runs it (gateway/server.ts), every concern on:
 * - caching: response cache (default on) in the real Redis under a prefix of its own, plan cache;
 * - rate limits: request and cost budgets and MAX_QUERY_COST at their defaults. Loopback is exempt
 *   from budgets by default, and the tests call from loopback, so the exempt list is emptied;
 * - resilience: timeouts, retries, deadline, circuit breakers (defaults);
 * - security: JWT verification (the JWKS above), authorization directives, limits, masking, CSRF,
 *   and HMAC-signed subgraph requests (the subgraphs ignore the signature);
 * - telemetry: metrics and traces (to the sink above); usage reporting off, as the brief asks
 *   (a file-fed gateway reports nowhere anyway).
 * `ORACLE_OURS_<NAME>=value` in the test's environment overrides `<NAME>`, to attribute a
 * difference to one concern (e.g. ORACLE_OURS_RESPONSE_CACHE=off).
 */
export async function startOurs(supergraph: string, side: SideServices): Promise<Gateway> {
  const directory = mkdtempSync(join(tmpdir(), 'autograph-oracle-'));
  const supergraphFile = join(directory, 'supergraph.graphql');
  writeFileSync(supergraphFile, supergraph);
  // At most 64 characters: unique per gateway, so no two runs (or other tests) share a key.
  const keyPrefix = `autograph-test:oracle:${process.pid}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
  const env: Record<string, string> = {
    GATEWAY_PORT: '0',
    SUPERGRAPH_FILE: supergraphFile,
    REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    USAGE_REPORTING: 'off',
    LOG_LEVEL: 'silent',
    JWKS_URL: side.jwksUrl,
    JWT_ISSUER,
    JWT_AUDIENCE,
    RATE_LIMIT_EXEMPT_ADDRESSES: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: side.otlpUrl,
    GATEWAY_HMAC_SECRET: 'federation-oracle-hmac-secret-0123456789',
    ...overrides(),
  };
  const service = await startGateway(readGatewayEnv(env), createLogger('oracle-test', 'silent'));
  await waitReady(service.url);
  return {
    url: `${service.url}/graphql`,
    async stop() {
      await service.stop();
      rmSync(directory, { recursive: true, force: true });
      await deleteKeys(keyPrefix);
    },
  };
}

/** The `ORACLE_OURS_*` variables of this process, without the prefix. */
export function overrides(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).flatMap(([name, value]) =>
      name.startsWith('ORACLE_OURS_') && value !== undefined ? [[name.slice('ORACLE_OURS_'.length), value]] : [],
    ),
  );
}

async function waitReady(url: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(`${url}/readiness`).catch(() => null))?.ok) return;
    await Bun.sleep(20);
  }
  throw new Error(`gateway at ${url} not ready within ${timeoutMs} ms`);
}

/** Leaves nothing in the shared Redis: cache entries and budgets of one case's gateway. */
export const deleteKeys = (prefix: string) => dropKeysWithPrefix(prefix);
