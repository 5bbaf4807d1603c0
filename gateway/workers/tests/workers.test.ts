import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { spawnService, stopChild, type Child } from '../../../kit/child-process';
import { startSubgraph, type RunningSubgraph } from '../../../tests/federation-oracle/subgraph';
import { TEST_REDIS_URL } from '../../../tests/support/queues';
import { configIssues, uniqueRedisPrefix } from '../../tests/harness';
import { shopSubgraphs } from '../../tests/in-memory';

/**
 * GATEWAY_WORKERS=2 as it runs in production: the real entry point as a primary process with two
 * worker processes on one port, against subgraphs served from this process and the machine's
 * Redis. Which worker answered is read from the merged /metrics (each worker counts its requests
 * under its index).
 */
const ENTRY = fileURLToPath(new URL('../../main.ts', import.meta.url));
const METRICS_TOKEN = 'workers-test-metrics-token';
const scratch = mkdtempSync(join(tmpdir(), 'autograph-workers-'));
let subgraphs: RunningSubgraph[] = [];
let supergraphFile = '';
const primaries: Child[] = [];

/** A field that takes its time: requests in flight while the gateway drains. */
const clock = {
  name: 'clock',
  typeDefs: /* GraphQL */ `
    type Query {
      wait(ms: Int!): String!
    }
  `,
  resolvers: {
    Query: {
      wait: async (_: unknown, { ms }: { ms: number }) => {
        await Bun.sleep(ms);
        return `waited ${ms}`;
      },
    },
  },
};

beforeAll(() => {
  subgraphs = [...shopSubgraphs(), clock].map(startSubgraph);
  const composed = composeServices(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  if (compositionHasErrors(composed)) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  supergraphFile = join(scratch, 'supergraph.graphql');
  writeFileSync(supergraphFile, composed.supergraphSdl);
});

afterAll(async () => {
  await Promise.all(primaries.map((primary) => stopChild(primary)));
  await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  rmSync(scratch, { recursive: true, force: true });
});

const gatewayEnv = (env: Record<string, string> = {}) => ({
  GATEWAY_PORT: '0',
  GATEWAY_WORKERS: '2',
  SUPERGRAPH_FILE: supergraphFile,
  SUPERGRAPH_CACHE_FILE: 'off',
  USAGE_REPORTING: 'off',
  REDIS_URL: TEST_REDIS_URL,
  REDIS_KEY_PREFIX: uniqueRedisPrefix('workers'),
  METRICS_TOKEN,
  DRAIN_DELAY_MS: '1500',
  LOG_LEVEL: 'info',
  ...env,
});

/** The primary, once it announced that every worker listens; its output lines are kept. */
async function startPrimary(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const primary = await spawnService({
    name: 'gateway',
    entry: [ENTRY],
    env: gatewayEnv(env),
    output: (_name, line) => lines.push(line),
  });
  primaries.push(primary);
  return { primary, url: primary.url, lines };
}

/** The worker processes below a primary. */
function workerPids(primaryPid: number): number[] {
  const listed = Bun.spawnSync(['pgrep', '-P', String(primaryPid)]).stdout.toString();
  return listed.split('\n').filter(Boolean).map(Number);
}

/** A variable a worker was started with (what its primary handed it). */
function workerVariable(pid: number, name: string): string {
  const entry = readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .find((line) => line.startsWith(`${name}=`));
  if (entry === undefined) throw new Error(`worker ${pid} has no ${name}`);
  return entry.slice(name.length + 1);
}

/** The pid of worker `index` (1-based) below a primary. */
const workerPid = (primaryPid: number, index: number) =>
  workerPids(primaryPid).find((pid) => workerVariable(pid, 'GATEWAY_WORKER_INDEX') === String(index));

/** A GraphQL POST on a connection of its own: the kernel picks a worker for every new connection. */
async function query(url: string, text: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    keepalive: false,
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ query: text }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: unknown[] } };
}

/** The merged /metrics as `name{labels}` → value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(`${url}/metrics`, {
    keepalive: false,
    headers: { authorization: `Bearer ${METRICS_TOKEN}`, connection: 'close' },
  });
  expect(response.status).toBe(200);
  const values = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

const servedBy = (metrics: Map<string, number>, worker: number) =>
  metrics.get(`autograph_gateway_worker_requests_total{worker="${worker}"}`) ?? 0;

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await Bun.sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('GATEWAY_WORKERS configuration', () => {
  const base = { SUPERGRAPH_FILE: 'supergraph.graphql', USAGE_REPORTING: 'off' };

  test('a whole number from 1 to 64, or auto, named when wrong', () => {
    for (const wrong of ['0', '65', 'two', '1.5'])
      expect(configIssues({ ...base, GATEWAY_WORKERS: wrong })).toEqual([
        `GATEWAY_WORKERS ("${wrong}"): must be a whole number from 1 to 64, or "auto" (one per CPU core: ${availableParallelism()} here)`,
      ]);
    expect(configIssues({ ...base, GATEWAY_WORKERS: 'auto', REDIS_URL: TEST_REDIS_URL })).toEqual([]);
  });

  test('more than one worker needs Redis, unless the response cache and rate limits are off', () => {
    expect(configIssues({ ...base, GATEWAY_WORKERS: '3' })).toEqual([
      'GATEWAY_WORKERS ("3"): 3 workers need Redis (REDIS_URL, or REDIS_SENTINELS with it): without it each worker keeps its own response cache (a mutation would evict it in one worker only) and its own rate-limit counters (a client would get 3 times its budget). Set REDIS_URL, or RESPONSE_CACHE=off and RATE_LIMIT=off',
    ]);
    expect(configIssues({ ...base, GATEWAY_WORKERS: '2', RESPONSE_CACHE: 'off' })).toEqual([
      'GATEWAY_WORKERS ("2"): 2 workers need Redis (REDIS_URL, or REDIS_SENTINELS with it): without it each worker keeps its own rate-limit counters (a client would get 2 times its budget). Set REDIS_URL, or RATE_LIMIT=off',
    ]);
    expect(configIssues({ ...base, GATEWAY_WORKERS: '2', RESPONSE_CACHE: 'off', RATE_LIMIT: 'off' })).toEqual([]);
    expect(configIssues({ ...base, GATEWAY_WORKERS: '2', REDIS_URL: TEST_REDIS_URL })).toEqual([]);
    expect(configIssues({ ...base, GATEWAY_WORKERS: '1' })).toEqual([]);
  });

  test('the variables a primary hands its workers are checked together', () => {
    const worker = { ...base, GATEWAY_WORKERS: '2', REDIS_URL: TEST_REDIS_URL };
    expect(configIssues({ ...worker, GATEWAY_WORKER_INDEX: '3', GATEWAY_WORKER_METRICS_PORTS: '4101' })).toEqual([
      'GATEWAY_WORKER_INDEX ("3"): must be at most GATEWAY_WORKERS (2)',
      'GATEWAY_WORKER_METRICS_PORTS ("4101"): must list one port per worker (2)',
      'GATEWAY_WORKER_SECRET (unset): must be set with GATEWAY_WORKER_INDEX',
    ]);
    const secret = 'x'.repeat(32);
    expect(
      configIssues({
        ...worker,
        GATEWAY_WORKER_INDEX: '2',
        GATEWAY_WORKER_METRICS_PORTS: '4101,4102',
        GATEWAY_WORKER_SECRET: secret,
      }),
    ).toEqual([]);
  });
});

describe('two workers on one port', () => {
  test('both serve, /metrics answers for both, a killed worker is replaced, SIGTERM drains every request', async () => {
    const { primary, url, lines } = await startPrimary();
    const first = workerPid(primary.process.pid, 1);
    const second = workerPid(primary.process.pid, 2);
    expect(first && second).toBeTruthy();

    // The kernel spreads new connections over both workers; the merged counters add up.
    const before = await scrape(url);
    for (let i = 0; i < 40; i++) expect((await query(url, '{ products { name } }')).status).toBe(200);
    const after = await scrape(url);
    expect(after.get('autograph_gateway_workers')).toBe(2);
    expect(after.get('autograph_gateway_workers_reporting')).toBe(2);
    for (const worker of [1, 2]) expect(servedBy(after, worker)).toBeGreaterThan(servedBy(before, worker));
    // 40 queries and the second scrape itself, counted once, by whichever worker took it.
    const total = (metrics: Map<string, number>) => servedBy(metrics, 1) + servedBy(metrics, 2);
    expect(total(after) - total(before)).toBe(41);
    // The process metrics are summed too: both workers' CPU.
    expect(after.get('process_cpu_seconds_total')).toBeGreaterThan(0);

    // The public guard holds, and a worker's internal port wants the run's secret.
    expect((await fetch(`${url}/metrics`, { keepalive: false })).status).toBe(401);
    const internalPort = workerVariable(first!, 'GATEWAY_WORKER_METRICS_PORTS').split(',')[0];
    const internal = `http://127.0.0.1:${internalPort}/worker-metrics`;
    expect((await fetch(internal)).status).toBe(401);
    const secret = workerVariable(first!, 'GATEWAY_WORKER_SECRET');
    const own = await fetch(internal, { headers: { authorization: `Bearer ${secret}` } });
    expect(Array.isArray(await own.json())).toBe(true);

    // kill -9 one worker: the other serves every request, scrapes say one is missing, the primary restarts it.
    process.kill(first!, 'SIGKILL');
    await until('the worker to be gone', () => (workerPids(primary.process.pid).includes(first!) ? undefined : true));
    const alone = await scrape(url);
    expect(alone.get('autograph_gateway_workers_reporting')).toBe(1);
    expect(alone.get('autograph_gateway_worker_metrics_missed_total')).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 10; i++) expect((await query(url, '{ topReview { body } }')).status).toBe(200);
    const replaced = await until('a new worker', () => {
      const pids = workerPids(primary.process.pid);
      return pids.length === 2 && !pids.includes(first!) ? pids : undefined;
    });
    expect(replaced).toContain(second!);
    await until('the new worker to serve', async () => {
      await query(url, '{ products { name } }');
      const metrics = await scrape(url);
      return metrics.get('autograph_gateway_workers_reporting') === 2 && servedBy(metrics, 1) > 0 ? true : undefined;
    });
    expect(lines.join('\n')).toContain('worker 1 crashed (signal SIGKILL)');

    // SIGTERM: requests in flight finish, /readiness turns 503 while new requests are still served, all exit 0.
    // They outlast the drain delay: the workers' servers wait for them before closing.
    const inFlight = [2000, 2001, 2002, 2003].map((ms) => query(url, `{ wait(ms: ${ms}) }`));
    await Bun.sleep(300);
    const workers = workerPids(primary.process.pid);
    primary.process.kill('SIGTERM');
    await Bun.sleep(150);
    expect((await fetch(`${url}/readiness`, { keepalive: false })).status).toBe(503);
    expect((await query(url, '{ products { name } }')).status).toBe(200);
    for (const answer of await Promise.all(inFlight)) {
      expect(answer.status).toBe(200);
      expect(answer.body.data.wait).toStartWith('waited 200');
    }
    expect(await primary.process.exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
    expect(lines.join('\n')).toContain('gateway stopped: 2 of 2 workers exited cleanly');
  }, 90_000);

  test('a worker crashing in a loop stops the gateway with exit code 1', async () => {
    const { primary, lines } = await startPrimary({ CRASH_LOOP_MAX_CRASHES: '1' });
    const first = workerPid(primary.process.pid, 1);
    const second = workerPid(primary.process.pid, 2);
    process.kill(first!, 'SIGKILL');
    expect(await primary.process.exited).toBe(1);
    await until('the other worker to exit', () => {
      try {
        process.kill(second!, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    expect(lines.join('\n')).toContain('worker 1 crashed 1 times within 60 s; giving up');
  }, 60_000);
});
