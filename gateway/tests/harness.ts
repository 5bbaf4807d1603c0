import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnService, stopChild } from '../../kit/child-process';
import { ConfigError } from '../../kit/config';
import { createLogger } from '../../kit/log';
import type { SubgraphName } from '../../subgraphs/framework/subgraph-config';
import { gql } from '../../tests/support/graphql';
import { TEST_REDIS_URL } from '../../tests/support/queues';
import { getSystem } from '../../tests/support/system';
import { readGatewayEnv } from '../config';
import { startGateway } from '../server';

/**
 * Gateway tests run our gateway, configured through its real environment variables, against the
 * shared whole system (registry, five subgraphs as processes, seeded PostgreSQL, Redis): in this
 * process (`startTestGateway`) or as its own process (`spawnTestGateway`, for two-replica tests).
 * Whatever a test starts is stopped by `stopTestGateways()` in its afterAll.
 */
export interface TestGateway {
  url: string;
  stop(): Promise<void>;
}

const started: TestGateway[] = [];
const logger = createLogger('gateway-test', process.env.E2E_LOG_LEVEL ?? 'silent');

/** A Redis key prefix of its own for each call: tests never see each other's (or a running system's) keys. */
export const uniqueRedisPrefix = (label: string) =>
  `autograph-test:${label}:${process.pid}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}:`;

/** The environment a test gateway starts from; the test's own variables override it. */
export async function testGatewayEnv(
  env: Record<string, string | undefined> = {},
): Promise<Record<string, string | undefined>> {
  const system = await getSystem();
  return {
    GATEWAY_PORT: '0',
    REGISTRY_URL: system.registryUrl,
    REGISTRY_TOKEN: system.registryToken,
    REGISTRY_TARGET: 'main',
    SUPERGRAPH_POLL_INTERVAL_MS: '1000',
    JWKS_URL: `${system.subgraphUrls.users}/.well-known/jwks.json`,
    USAGE_REPORTING: 'off',
    // Tests that need the copy on disk set their own file; the others leave no file behind.
    SUPERGRAPH_CACHE_FILE: 'off',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: uniqueRedisPrefix('gw'),
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
    ...env,
  };
}

/** A gateway in this process (fast to start; its metrics are its own, read them from its /metrics). */
export async function startTestGateway(env: Record<string, string | undefined> = {}): Promise<TestGateway> {
  const service = await startGateway(readGatewayEnv(await testGatewayEnv(env)), logger);
  const gateway = { url: service.url, stop: () => service.stop() };
  started.push(gateway);
  await waitReady(gateway.url);
  return gateway;
}

/** A gateway as its own Bun process: a second replica with its own memory, for cross-replica tests. */
export async function spawnTestGateway(
  env: Record<string, string | undefined> = {},
): Promise<TestGateway & { pid: number }> {
  const child = await spawnService({
    name: 'gateway',
    entry: [fileURLToPath(new URL('../main.ts', import.meta.url))],
    env: await testGatewayEnv(env),
    output: process.env.E2E_LOG_LEVEL ? (service, line) => console.log(`[${service}] ${line}`) : undefined,
  });
  const gateway = { url: child.url, pid: child.process.pid, stop: () => stopChild(child) };
  started.push(gateway);
  await waitReady(gateway.url);
  return gateway;
}

export async function stopTestGateways() {
  await Promise.all(started.splice(0).map((gateway) => gateway.stop().catch(() => {})));
}

/**
 * The registry's current supergraph written to a file, with some subgraphs' routing URLs replaced:
 * point one subgraph at a process the test controls (kill it, slow it down) without touching the
 * shared system.
 */
export async function supergraphFile(routes: Partial<Record<SubgraphName, string>> = {}): Promise<string> {
  const system = await getSystem();
  const response = await fetch(`${system.registryUrl}/v1/targets/main/supergraph`, {
    headers: { authorization: `Bearer ${system.registryToken}` },
  });
  if (!response.ok) throw new Error(`registry answered ${response.status}`);
  let sdl = await response.text();
  for (const [name, url] of Object.entries(routes)) {
    const current = `${system.subgraphUrls[name as SubgraphName]}/graphql`;
    if (!sdl.includes(current)) throw new Error(`supergraph has no routing URL ${current} for ${name}`);
    sdl = sdl.replaceAll(current, url!);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'autograph-supergraph-')), 'supergraph.graphql');
  writeFileSync(file, sdl);
  return file;
}

/** Registers a fresh user through the users subgraph and returns its id and access token. */
export async function newUser(label = 'user'): Promise<{ id: string; email: string; token: string }> {
  const system = await getSystem();
  const email = `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}@test.autograph.dev`;
  const response = await gql(
    system.subgraphUrls.users,
    `mutation ($input: RegisterInput!) { register(input: $input) { accessToken viewer { user { id } } } }`,
    { input: { email, password: 'correct horse battery staple', name: label, city: 'Berlin' } },
  );
  if (response.errors) throw new Error(`register failed: ${JSON.stringify(response.errors)}`);
  return { id: response.data.register.viewer.user.id, email, token: response.data.register.accessToken };
}

async function waitReady(url: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(`${url}/readiness`).catch(() => null))?.ok) return;
    await Bun.sleep(50);
  }
  throw new Error(`gateway at ${url} not ready within ${timeoutMs} ms`);
}

/** What the gateway's configuration says is wrong with `env` (empty when it starts). */
export function configIssues(env: Record<string, string | undefined>): string[] {
  try {
    readGatewayEnv(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues;
  }
}
