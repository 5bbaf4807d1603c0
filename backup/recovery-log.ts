/**
 * What a recovering server said about its recovery, read from its log. The server is started with
 * lc_messages = 'C' (restore.ts), so these English messages are the ones it writes.
 */
export interface RecoveryReport {
  /** Where replay began and ended (LSNs), from "redo starts at" and "redo done at". */
  redoStart?: string;
  redoDone?: string;
  /** The newest transaction replayed: "last completed transaction was at log time …". */
  lastReplayedAt?: string;
  /** The first transaction left out: "recovery stopping before commit of transaction N, time …". */
  stoppedBefore?: { xid: number; at: string };
  /** The timeline the promoted cluster writes on. */
  timeline?: number;
  /** Recovery reached the end of the archive without seeing a transaction after the target. */
  endedBeforeTarget: boolean;
  fatal: string[];
}

/** A server timestamp ("2026-01-01 12:00:00.123456+00") as ISO 8601, keeping its microseconds. */
export function serverTimeToIso(text: string): string {
  const match = text.trim().match(/^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)(?::?(\d\d))?/);
  if (!match) return text.trim();
  const [, date, time, hours, minutes] = match;
  const offset = `${hours}:${minutes ?? '00'}`;
  return `${date}T${time}${offset === '+00:00' ? 'Z' : offset}`;
}

export function readRecoveryLog(log: string): RecoveryReport {
  const last = (pattern: RegExp) => [...log.matchAll(pattern)].at(-1);
  const stopped = last(/recovery stopping before (?:commit|abort) of transaction (\d+), time ([^\n]+)/g);
  const timeline = last(/selected new timeline ID: (\d+)/g);
  const lastReplayed = last(/last completed transaction was at log time ([^\n]+)/g);
  return {
    redoStart: last(/redo starts at ([0-9A-F]+\/[0-9A-F]+)/g)?.[1],
    redoDone: last(/redo done at ([0-9A-F]+\/[0-9A-F]+)/g)?.[1],
    lastReplayedAt: lastReplayed ? serverTimeToIso(lastReplayed[1]!) : undefined,
    stoppedBefore: stopped ? { xid: Number(stopped[1]), at: serverTimeToIso(stopped[2]!) } : undefined,
    timeline: timeline ? Number(timeline[1]) : undefined,
    endedBeforeTarget: log.includes('recovery ended before configured recovery target was reached'),
    fatal: [...log.matchAll(/(?:FATAL|PANIC):\s+([^\n]+)/g)].map((match) => match[1]!),
  };
}

/** Bytes between two LSNs ("16/B374D848"). */
export function lsnDistance(from: string, to: string): number {
  const value = (lsn: string) => {
    const [high, low] = lsn.split('/');
    return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
  };
  return Number(value(to) - value(from));
}
