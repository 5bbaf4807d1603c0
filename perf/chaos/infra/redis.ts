import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, run, waitUntil, type Daemon, type Resources } from './processes';

export const SENTINEL_MASTER_NAME = 'autograph';

/** One `redis-server` of the suite's own, on loopback, without persistence: killing it loses its data. */
export class RedisNode {
  private daemon: Daemon | undefined;

  constructor(
    private readonly resources: Resources,
    readonly name: string,
    readonly port: number,
    private readonly args: string[],
  ) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid() {
    return this.daemon?.pid;
  }

  async start() {
    this.daemon = this.resources.daemon(this.name, ['redis-server', ...this.args]);
    if (!(await waitUntil(async () => (await this.command('PING')).trim() === 'PONG', 10_000)))
      throw new Error(`${this.name} did not answer PING on port ${this.port}`);
  }

  async kill() {
    await this.daemon?.kill('SIGKILL');
  }

  command(...args: string[]): Promise<string> {
    return redisCli(this.port, args);
  }

  /** `used_memory` from INFO memory, bytes. */
  async usedMemory(): Promise<number> {
    return Number((await this.command('INFO', 'memory')).match(/^used_memory:(\d+)/m)?.[1] ?? Number.NaN);
  }
}

const redisCli = (port: number, args: string[]) => run(['redis-cli', '-h', '127.0.0.1', '-p', String(port), ...args]);

async function startNode(resources: Resources, name: string, extra: string[] = []): Promise<RedisNode> {
  const dir = resources.tempDir(name);
  const port = await freePort();
  const node = new RedisNode(resources, name, port, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--logfile',
    join(dir, 'redis.log'),
    ...extra,
  ]);
  await node.start();
  return node;
}

export interface RedisGroup {
  primary: RedisNode;
  replica: RedisNode;
  sentinels: { port: number }[];
  /** `REDIS_SENTINELS`: comma-separated host:port. */
  sentinelList: string;
  /** The address the sentinels give for the master now, `host:port`. */
  masterAddress(): Promise<string>;
}

/**
 * A primary, one replica and three sentinels (quorum 2), all on spare loopback ports. The
 * sentinels declare the primary down after 1 s without answers, so a failover takes a few seconds.
 */
export async function startRedisGroup(resources: Resources): Promise<RedisGroup> {
  const primary = await startNode(resources, 'redis-primary');
  const replica = await startNode(resources, 'redis-replica', ['--replicaof', '127.0.0.1', String(primary.port)]);
  const sentinels: { port: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = resources.tempDir(`sentinel-${i}`);
    const port = await freePort();
    const config = join(dir, 'sentinel.conf');
    // Sentinels rewrite their configuration file as they learn the topology: it must be writable.
    writeFileSync(
      config,
      `port ${port}
bind 127.0.0.1
dir ${dir}
logfile ${join(dir, 'sentinel.log')}
sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${primary.port} 2
sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000
sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000
sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1
`,
    );
    resources.daemon(`redis-sentinel-${i}`, ['redis-sentinel', config]);
    if (!(await waitUntil(async () => (await redisCli(port, ['PING'])).trim() === 'PONG', 10_000)))
      throw new Error(`sentinel ${i} did not start`);
    sentinels.push({ port });
  }
  return {
    primary,
    replica,
    sentinels,
    sentinelList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    masterAddress: async () =>
      (await redisCli(sentinels[0]!.port, ['SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER_NAME]))
        .trim()
        .split('\n')
        .join(':'),
  };
}
