import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Reading processes from /proc (Linux): CPU ticks, command lines, who listens on a port. Every
 * reader returns null or an empty list where /proc is missing or a process ended meanwhile.
 */

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on every Linux we run). */
export const TICKS_PER_SECOND = 100;

/** What /proc/<pid>/stat says of a process. */
export interface ProcessStat {
  ppid: number;
  /** utime + stime: its own CPU, all threads. */
  ticks: number;
  /** cutime + cstime: CPU of its children that ended and were waited for. */
  childTicks: number;
  /** The command name (`comm`, at most 15 characters). */
  name: string;
}

export function readStat(pid: number | string): ProcessStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name may hold spaces and parentheses: the fields start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      childTicks: Number(fields[13]) + Number(fields[14]),
      name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    };
  } catch {
    return null;
  }
}

/** CPU seconds a process (all its threads) has used so far: utime + stime. */
export function cpuSeconds(pid: number): number | null {
  const stat = readStat(pid);
  return stat ? stat.ticks / TICKS_PER_SECOND : null;
}

/** CPU seconds per thread of a process, by thread name (`bun`, `HTTP Client`, `JSC Heap`…), summed over same-named threads. */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main (JavaScript)' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      threads.set(name, (threads.get(name) ?? 0) + seconds);
    } catch {
      // The thread ended while we read.
    }
  }
  return threads;
}

/** The arguments a process was started with. */
export function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** The parent of a process, or null. */
export function parentPid(pid: number): number | null {
  return readStat(pid)?.ppid || null;
}

/** `root` and every process below it (by parent pid). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry); // null: ended meanwhile
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) found.push(...(children.get(found[i]!) ?? []));
  return found;
}

/** The process listening on a TCP port on this machine (what a `--url` run loads), if this user may see it. */
export function listeningPid(port: number): number | null {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; column 9 is the socket's inode.
      if (columns[3] === '0A' && Number.parseInt(columns[1]?.split(':')[1] ?? '', 16) === port) inodes.add(columns[9]!);
    }
  }
  if (!inodes.size) return null;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    for (const fd of safeReaddir(`/proc/${entry}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (match && inodes.has(match[1]!)) return Number(entry);
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return null;
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
