import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { RedisTarget } from '../../kit/redis';

/**
 * Redis servers and sentinels of a test's own, as real processes on spare loopback ports in a
 * temporary directory, for tests that kill and restart them. Never the shared Redis on 6379:
 * only what was started here is ever stopped. Every process is killed by `stopAll()` (afterAll).
 */

const running = new Set<ReturnType<typeof Bun.spawn>>();
const directories: string[] = [];

/** The path of a Debian binary, or an error that says which package to install: such a test fails, never skips. */
function binary(name: 'redis-server' | 'redis-sentinel'): string {
  const path = Bun.which(name) ?? Bun.which(name, { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' });
  if (!path) throw new Error(`${name} is not installed: apt-get install ${name} (Debian package "${name}")`);
  return path;
}

/** A port nothing listens on at the moment. */
function sparePort(): number {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

function workDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-redis-'));
  directories.push(dir);
  return dir;
}

/** Resolves once something answers PING on `port`; the log file's tail explains a failure. */
async function waitForPing(port: number, logFile: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        const log = (() => {
          try {
            return readFileSync(logFile, 'utf8').slice(-2_000);
          } catch {
            return '(no log)';
          }
        })();
        throw new Error(`nothing answers on 127.0.0.1:${port}: ${(error as Error).message}\n${log}`);
      }
      await Bun.sleep(50);
    } finally {
      probe.disconnect();
    }
  }
}

export interface RedisProcess {
  port: number;
  url: string;
  /** SIGKILL: no shutdown, no goodbye to clients (a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same arguments. */
  restart(): Promise<void>;
  /** Sends a signal: SIGSTOP freezes it with its connections open, SIGCONT thaws it. */
  signal(name: 'SIGSTOP' | 'SIGCONT'): void;
}

async function spawnOnPort(bin: string, args: (port: number, logFile: string) => string[], dir: string, port: number) {
  const logFile = join(dir, `${port}.log`);
  let process: ReturnType<typeof Bun.spawn> | undefined;
  const start = async () => {
    process = Bun.spawn([bin, ...args(port, logFile)], { cwd: dir, stdout: 'ignore', stderr: 'ignore' });
    running.add(process);
    await waitForPing(port, logFile);
  };
  await start();
  const handle: RedisProcess = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (!process) return;
      process.kill('SIGKILL');
      await process.exited;
      running.delete(process);
      process = undefined;
    },
    restart: start,
    signal(name) {
      process?.kill(name);
    },
  };
  return handle;
}

/** `redis-server` without persistence on a spare port, optionally a replica of `replicaOf`. */
export async function startRedisServer(options: { replicaOf?: number; dir?: string } = {}): Promise<RedisProcess> {
  const dir = options.dir ?? workDirectory();
  const replica = options.replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(options.replicaOf)];
  return spawnOnPort(
    binary('redis-server'),
    (port, logFile) => [
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ...['--dir', dir, '--logfile', logFile, '--daemonize', 'no'],
      ...replica,
    ],
    dir,
    sparePort(),
  );
}

export interface SentinelGroup {
  name: string;
  primary: RedisProcess;
  replica: RedisProcess;
  sentinelPorts: number[];
  /** What a service is given: REDIS_URL (no password, database 0) plus the sentinels. */
  target: RedisTarget;
  /** The port the sentinels currently name as the group's primary. */
  primaryPort(): Promise<number>;
}

/**
 * A primary, one replica and three sentinels (quorum 2) that declare the primary down after 1 s
 * without answers. Resolves once every sentinel knows the replica and the two other sentinels, so
 * a failover can be voted at once.
 */
export async function startSentinelGroup(name = 'autograph-test'): Promise<SentinelGroup> {
  const sentinelBin = binary('redis-sentinel');
  const dir = workDirectory();
  const primary = await startRedisServer({ dir });
  const replica = await startRedisServer({ dir, replicaOf: primary.port });
  const sentinelPorts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = sparePort();
    // A sentinel rewrites its configuration file: one file each.
    const config = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      config,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `logfile ${join(dir, `${port}.log`)}`,
        'sentinel resolve-hostnames no',
        `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 3000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    await spawnOnPort(sentinelBin, () => [config], dir, port);
    sentinelPorts.push(port);
  }

  const askSentinel = async <T>(port: number, ...args: string[]): Promise<T> => {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.call('SENTINEL', ...args)) as T;
    } finally {
      client.disconnect();
    }
  };
  const deadline = Date.now() + 20_000;
  for (const port of sentinelPorts) {
    for (;;) {
      const master = await askSentinel<string[]>(port, 'MASTER', name);
      const field = (key: string) => Number(master[master.indexOf(key) + 1]);
      if (field('num-slaves') >= 1 && field('num-other-sentinels') >= 2) break;
      if (Date.now() > deadline) throw new Error(`sentinel ${port} does not see the replica and its peers`);
      await Bun.sleep(100);
    }
  }

  return {
    name,
    primary,
    replica,
    sentinelPorts,
    target: {
      url: 'redis://127.0.0.1/0',
      sentinel: { name, nodes: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })) },
    },
    async primaryPort() {
      const [, port] = await askSentinel<[string, string]>(sentinelPorts[0]!, 'GET-MASTER-ADDR-BY-NAME', name);
      return Number(port);
    },
  };
}

const cleanups: (() => Promise<unknown>)[] = [];
/** Runs `cleanup` in `stopAll()` before the servers go: the clients first, then what they talk to. */
export function beforeStop(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

const unhandled: unknown[] = [];
const onUnhandled = (error: unknown) => void unhandled.push(error);
/**
 * Errors thrown or rejected with nobody to handle them, from now until `stopAll()`: every Redis
 * client must handle its own errors, or a lost connection would crash the service.
 */
export function watchUnhandled(): unknown[] {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  return unhandled;
}

/** Runs the cleanups, kills every process started here and removes their directories. */
export async function stopAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  for (const process of running) process.kill('SIGKILL');
  await Promise.all([...running].map((process) => process.exited));
  running.clear();
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
}
