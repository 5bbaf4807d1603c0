import postgres from 'postgres';
import { processUsage } from '../lab/target';

/** CPU seconds of a set of processes, each read from /proc (Linux). Processes gone since count 0. */
export function cpuSecOf(pids: Iterable<number>): Map<number, number> {
  const usage = new Map<number, number>();
  for (const pid of pids) usage.set(pid, processUsage(pid)?.cpuSec ?? 0);
  return usage;
}

/** CPU seconds spent between two readings, over the processes of the later one. */
export function cpuSecBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, sec] of after) total += sec - (before.get(pid) ?? 0);
  return total;
}

/**
 * The PostgreSQL backends serving one service: their pids from pg_stat_activity by the
 * application_name kit/db gives every connection (`autograph-<service>`), on the benchmark's
 * database only (the server is shared). PostgreSQL runs on this machine, so each backend's CPU is
 * in /proc.
 */
export function backendsOf(adminUrl: string, service: string) {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  return {
    async pids(): Promise<number[]> {
      const rows = await sql<{ pid: number }[]>`
        select pid from pg_stat_activity
        where application_name = ${`autograph-${service}`} and datname = current_database()`;
      return rows.map((row) => row.pid);
    },
    close: () => sql.end(),
  };
}

/** The running total of `autograph_sql_statements_total` for a service, from its /metrics. */
export async function statementsSent(baseUrl: string, service: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`autograph_sql_statements_total{service="${service}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
