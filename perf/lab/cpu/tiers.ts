import Redis from 'ioredis';
import postgres from 'postgres';
import { commandLine, cpuSeconds, processTree } from './processes';

/**
 * The processes of one tier of the system under load: a gateway, a subgraph, PostgreSQL's
 * backends, Redis. `find` is asked at the start and at the end of the measured window, because
 * some tiers change their processes meanwhile (PostgreSQL starts and ends backends).
 */
export interface Tier {
  name: string;
  find: () => Promise<TierProcess[]> | TierProcess[];
  /** What a reader should know about the figure (shared with others, partial). */
  note?: string;
}

/** One process of a tier; `group` splits a tier in its note (PostgreSQL backends by application_name). */
export interface TierProcess {
  pid: number;
  group?: string;
}

export interface TierReading {
  name: string;
  cpuSec: number;
  /** Processes counted; `lost`: seen at the start but gone at the end (their last seconds are missing). */
  processes: number;
  lost: number;
  byGroup: Record<string, number>;
  note?: string;
}

interface Snapshot {
  processes: TierProcess[];
  cpu: Map<number, number>;
}

async function snapshot(tier: Tier): Promise<Snapshot> {
  const processes = await Promise.resolve(tier.find()).catch(() => []);
  const cpu = new Map<number, number>();
  for (const { pid } of processes) {
    const seconds = cpuSeconds(pid);
    if (seconds !== null) cpu.set(pid, seconds);
  }
  return { processes, cpu };
}

/**
 * Starts measuring the CPU every tier uses; `stop()` at the end of the window gives each tier's
 * CPU seconds. A process first seen at the end started during the window: all its CPU counts.
 */
export async function startCpuMeter(tiers: Tier[]) {
  const before = await Promise.all(tiers.map(snapshot));
  return {
    async stop(): Promise<TierReading[]> {
      const after = await Promise.all(tiers.map(snapshot));
      return tiers.map((tier, index) => diffSnapshots(tier, before[index]!, after[index]!));
    },
  };
}

function diffSnapshots(tier: Tier, before: Snapshot, after: Snapshot): TierReading {
  const byGroup: Record<string, number> = {};
  let cpuSec = 0;
  for (const { pid, group } of after.processes) {
    const end = after.cpu.get(pid);
    if (end === undefined) continue;
    const used = Math.max(0, end - (before.cpu.get(pid) ?? 0));
    cpuSec += used;
    if (group) byGroup[group] = (byGroup[group] ?? 0) + used;
  }
  const lost = before.processes.filter(({ pid }) => !after.cpu.has(pid)).length;
  return { name: tier.name, cpuSec, processes: after.cpu.size, lost, byGroup, note: tier.note };
}

/** A tier of known pids (a gateway the lab started, the load generator). */
export const pidTier = (name: string, pids: number[], note?: string): Tier => ({
  name,
  note,
  find: () => pids.map((pid) => ({ pid })),
});

/** A process and every process below it: a gateway with GATEWAY_WORKERS, its primary and all its workers. */
export const processTreeTier = (name: string, root: number | null, note?: string): Tier => ({
  name,
  note,
  find: () => (root ? processTree(root).map((pid) => ({ pid })) : []),
});

/** The lab's subgraph processes (`bun subgraphs/run.ts <name>`, below the lab's own process), one tier each. */
export function subgraphTiers(names: readonly string[], root = process.pid): Tier[] {
  const find = (name: string) =>
    processTree(root)
      .filter((pid) => {
        const args = commandLine(pid);
        const entry = args.findIndex((arg) => arg.endsWith('subgraphs/run.ts'));
        return entry >= 0 && args[entry + 1] === name;
      })
      .map((pid) => ({ pid }));
  return names.map((name) => ({ name: `subgraph: ${name}`, find: () => find(name) }));
}

/**
 * PostgreSQL's backends serving one database, named by the `application_name` each service sets
 * (`autograph-<service>`). The query's own connection goes to `adminUrl`'s database, not this one.
 */
export function postgresTier(adminUrl: string, database: string): Tier {
  return {
    name: 'PostgreSQL',
    note: `backends of database ${database}, by application_name`,
    async find() {
      const sql = postgres(adminUrl, {
        max: 1,
        onnotice: () => {},
        connection: { application_name: 'autograph-perf' },
      });
      try {
        const rows = await sql<{ pid: number; application_name: string }[]>`
          select pid, application_name from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`;
        return rows.map((row) => ({ pid: row.pid, group: row.application_name || '(unnamed)' }));
      } finally {
        await sql.end();
      }
    },
  };
}

/** The Redis server the lab uses (its pid from `INFO server`). Shared Redis serves others' commands too. */
export async function redisTier(url: string): Promise<Tier> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  let pid: number | null = null;
  try {
    await redis.connect();
    pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]) || null;
  } catch {
    pid = null;
  } finally {
    redis.disconnect();
  }
  return {
    name: 'Redis',
    note: pid ? 'the whole server: other users of a shared Redis count too' : 'not measured: its pid is unknown',
    find: () => (pid ? [{ pid }] : []),
  };
}
