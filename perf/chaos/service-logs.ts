import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { excerpt, printable, type LoggedLine } from './log-excerpt';

/**
 * What the system's children print during a fault run (LOG_LEVEL=warn: warnings, errors and
 * anything a crashing process writes), kept so that a missed goal can be explained: one file per
 * service, and an excerpt printed with the missed goal, since on CI only the output survives.
 */
export interface ServiceLogs {
  /** Where `<service>.log` files are written. */
  dir: string;
  /** The launcher's `output`: called with every line a child prints. */
  output(service: string, line: string): void;
  /** The excerpt (log-excerpt.ts) of the lines that arrived between two moments (Date.now()), printable. */
  between(fromMs: number, toMs: number): string[];
  close(): Promise<void>;
}

/** Lines kept in memory per service for excerpts; the files keep every line. */
const KEPT_PER_SERVICE = 500;

/** Service logs in `dir`, emptied first: each run's logs replace the previous run's. */
export function openServiceLogs(dir: string): ServiceLogs {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, WriteStream>();
  /** Each service's latest lines, numbered in the order they arrived across services. */
  const recent = new Map<string, (LoggedLine & { seq: number })[]>();
  let seq = 0;
  let closed = false;

  return {
    dir,
    output(service, text) {
      if (closed) return; // a child's last words after the run ended
      let file = files.get(service);
      if (!file) {
        file = createWriteStream(join(dir, `${service}.log`), { flags: 'a' });
        // The files are an aid: one that cannot be written must not end the run.
        file.on('error', () => {});
        files.set(service, file);
      }
      file.write(`${text}\n`);
      const own = recent.get(service) ?? [];
      own.push({ atMs: Date.now(), service, text, seq: seq++ });
      if (own.length > KEPT_PER_SERVICE) own.shift();
      recent.set(service, own);
    },
    between(fromMs, toMs) {
      const arrived = [...recent.values()].flat().sort((a, b) => a.seq - b.seq);
      return excerpt(arrived, { fromMs, toMs }).map(printable);
    },
    async close() {
      closed = true;
      await Promise.all([...files.values()].map((file) => new Promise<void>((resolve) => file.end(resolve))));
    },
  };
}
