import { readdirSync, readFileSync } from 'node:fs';
import { commandLine, readStat, TICKS_PER_SECOND, type ProcessStat } from './cpu/processes';
import { cpus } from 'node:os';

/**
 * Other people's work on the same machine (test suites, type checks) takes CPU from a load run
 * and makes one contender look slower than the next. Before a measured run the lab waits for the
 * machine to be quiet, and during it records how much CPU went to anything but the lab, so a
 * report says when a figure was disturbed. Linux only (/proc); elsewhere both are no-ops.
 */

/** A process as the CPU accounting below reads it (children's CPU may be unknown: 0). */
type ProcessTicks = Omit<ProcessStat, 'childTicks'> & { childTicks?: number };

/** utime + stime (and cutime + cstime) of every process, with its parent and command name. */
export function processTable(): Map<number, ProcessStat> {
  const table = new Map<number, ProcessStat>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat) continue; // the process ended while we read
    // PostgreSQL backends name their database in their title: the lab's or someone else's.
    if (stat.name === 'postgres') stat.name = commandLine(Number(entry)).join(' ').trim() || stat.name;
    table.set(Number(entry), stat);
  }
  return table;
}

/** `root` and every process below it. */
export function descendants(table: Map<number, ProcessTicks>, root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found = new Set<number>([root]);
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (found.has(child)) continue;
      found.add(child);
      queue.push(child);
    }
  }
  return found;
}

/** The lab's own database (see target.ts): its PostgreSQL backends work for the lab. */
const LAB_DATABASES = ['autograph_perf'];

/**
 * Whether a process is a shared service the lab uses too, whose CPU cannot be told apart: Redis,
 * and PostgreSQL's server processes. A PostgreSQL backend serves one database, so it is the lab's
 * when that database is the lab's, and someone else's otherwise.
 */
export function isSharedOrLab(name: string, labDatabases = LAB_DATABASES): boolean {
  if (/^redis-(server|sentinel)/.test(name)) return true;
  if (!name.startsWith('postgres') && !name.includes('/bin/postgres')) return false;
  const backend = /^postgres: [^:]+: \S+ (\S+) /.exec(name);
  return !backend || labDatabases.includes(backend[1]!);
}

/**
 * CPU seconds that processes outside `root`'s tree used between two process tables, leaving out
 * Redis, PostgreSQL's server processes and the lab database's backends. Kernel threads count:
 * they are work the machine did for others.
 */
export function foreignCpuSec(
  before: Map<number, ProcessTicks>,
  after: Map<number, ProcessTicks>,
  root = process.pid,
  labDatabases = LAB_DATABASES,
): number {
  const ours = descendants(after, root);
  for (const pid of descendants(before, root)) ours.add(pid);
  let ticks = 0;
  for (const [pid, entry] of after) {
    if (ours.has(pid) || isSharedOrLab(entry.name, labDatabases)) continue;
    ticks += Math.max(0, entry.ticks - (before.get(pid)?.ticks ?? 0));
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds the lab's own services used between two process tables: the processes below `root`
 * except `root` itself (the load generator) and the trees of `exclude` (the gateway under test),
 * plus the lab database's PostgreSQL backends. That is the subgraphs, the registry and PostgreSQL.
 */
export function labServicesCpuSec(
  before: Map<number, ProcessTicks>,
  after: Map<number, ProcessTicks>,
  root: number,
  exclude: number[],
  labDatabases = LAB_DATABASES,
): number {
  const skip = new Set<number>([root]);
  for (const pid of exclude) for (const below of descendants(after, pid)) skip.add(below);
  const ours = descendants(after, root);
  let ticks = 0;
  for (const [pid, entry] of after) {
    const backend = /^postgres: [^:]+: \S+ (\S+) /.exec(entry.name);
    const labBackend = backend !== null && labDatabases.includes(backend[1]!);
    if (skip.has(pid) || !(ours.has(pid) || labBackend)) continue;
    ticks += Math.max(0, entry.ticks - (before.get(pid)?.ticks ?? 0));
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU ticks the whole machine spent busy (user, nice, system, irq, softirq, steal), from /proc/stat. */
export function machineBusyTicks(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return null;
  }
}

/**
 * Foreign CPU from the machine's busy time: everything the machine did minus what the lab's tree,
 * Redis, PostgreSQL's own processes and the lab database's backends did. Unlike a sum over the
 * process table, this also counts processes that started and ended within the window (short test
 * files, compilers), and time the hypervisor stole.
 */
export function foreignFromBusy(
  busyTicks: number,
  before: Map<number, ProcessTicks>,
  after: Map<number, ProcessTicks>,
  root = process.pid,
  labDatabases = LAB_DATABASES,
): number {
  const ours = descendants(after, root);
  for (const pid of descendants(before, root)) ours.add(pid);
  let ticks = 0;
  for (const [pid, entry] of after) {
    if (!ours.has(pid) && !isSharedOrLab(entry.name, labDatabases)) continue;
    ticks += Math.max(0, entry.ticks - (before.get(pid)?.ticks ?? 0));
    // A process of ours that ended in the window (a wrk run, a peer gateway stopped) leaves the
    // table; its whole CPU lands in its parent's cutime + cstime, itself one of ours.
    if (ours.has(pid)) ticks += Math.max(0, (entry.childTicks ?? 0) - (before.get(pid)?.childTicks ?? 0));
  }
  // What such a process had used before the window was counted in the parent's cutime as well.
  for (const [pid, entry] of before)
    if (ours.has(pid) && !after.has(pid)) ticks -= entry.ticks + (entry.childTicks ?? 0);
  return Math.max(0, busyTicks - ticks) / TICKS_PER_SECOND;
}

/** Measures foreign CPU over a stretch of work: call `stop()` after it for the share of one core. */
export function watchForeignCpu(root = process.pid) {
  const before = processTable();
  const busyBefore = machineBusyTicks();
  const started = performance.now();
  return {
    stop(): { foreignCpuPercent: number } {
      const seconds = (performance.now() - started) / 1000;
      const after = processTable();
      const busyAfter = machineBusyTicks();
      const foreign =
        busyBefore !== null && busyAfter !== null
          ? foreignFromBusy(busyAfter - busyBefore, before, after, root)
          : foreignCpuSec(before, after, root);
      return { foreignCpuPercent: seconds > 0 ? (foreign / seconds) * 100 : 0 };
    },
  };
}

/**
 * Waits until processes outside the lab use less than `maxPercent` of one core over `windowSec`
 * (default: 15 % for 3 s), at most `timeoutSec`. Returns how long it waited and whether it got quiet.
 */
export async function waitForQuiet(
  options: { maxPercent?: number; windowSec?: number; timeoutSec?: number; log?: (m: string) => void } = {},
): Promise<{ waitedSec: number; quiet: boolean; foreignCpuPercent: number }> {
  const maxPercent = options.maxPercent ?? 15;
  const windowSec = options.windowSec ?? 3;
  const timeoutSec = options.timeoutSec ?? 300;
  const started = performance.now();
  let logged = false;
  for (;;) {
    const watch = watchForeignCpu();
    await Bun.sleep(windowSec * 1000);
    const { foreignCpuPercent } = watch.stop();
    const waitedSec = (performance.now() - started) / 1000;
    if (foreignCpuPercent < maxPercent || processTable().size === 0)
      return { waitedSec, quiet: true, foreignCpuPercent };
    if (waitedSec >= timeoutSec) {
      options.log?.(
        `the machine is still busy (${Math.round(foreignCpuPercent)} % of a core used by other processes): measuring anyway`,
      );
      return { waitedSec, quiet: false, foreignCpuPercent };
    }
    if (!logged)
      options.log?.(
        `waiting for the machine to be quiet: other processes use ${Math.round(foreignCpuPercent)} % of a core (of ${cpus().length * 100} %)`,
      );
    logged = true;
  }
}

/** Foreign CPU (% of one core) from which a measured run counts as disturbed. */
export const DISTURBED_PERCENT = 15;

/**
 * Runs a measurement when the machine is quiet and repeats it (up to `attempts` times) while
 * other processes disturb it. Returns the least disturbed attempt: its value, the foreign CPU
 * during it, which attempt it was, and how many were made.
 */
export async function undisturbed<T>(
  label: string,
  run: () => Promise<T>,
  options: {
    attempts?: number;
    log?: (m: string) => void;
    watch?: () => { stop(): { foreignCpuPercent: number } };
    wait?: typeof waitForQuiet;
  } = {},
): Promise<{ value: T; foreignCpuPercent: number; attempt: number; attempts: number }> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const watchForeign = options.watch ?? watchForeignCpu;
  const wait = options.wait ?? waitForQuiet;
  let best: { value: T; foreignCpuPercent: number; attempt: number } | undefined;
  let attempt = 0;
  while (attempt < attempts) {
    attempt++;
    await wait({ log: options.log, windowSec: attempt === 1 ? 1 : 3, timeoutSec: 30 });
    const watch = watchForeign();
    const value = await run();
    const { foreignCpuPercent } = watch.stop();
    if (!best || foreignCpuPercent < best.foreignCpuPercent) best = { value, foreignCpuPercent, attempt };
    if (foreignCpuPercent < DISTURBED_PERCENT) break;
    options.log?.(
      `${label}: other processes used ${Math.round(foreignCpuPercent)} % of a core during attempt ${attempt}${attempt < attempts ? ': repeating' : ''}`,
    );
  }
  return { ...best!, attempts: attempt };
}
