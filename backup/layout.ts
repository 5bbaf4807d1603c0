import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The backup directory:
 *
 *   BACKUP_DIR/archive-wal.sh     the primary's archive_command (installed by `bun ops archive-setup`)
 *   BACKUP_DIR/wal/<segment>      the WAL archive, one file per finished segment
 *   BACKUP_DIR/base/<id>/         a base backup: a data directory with backup_label and backup_manifest
 *   BACKUP_DIR/base/<id>.json     what restore needs to know about it (BackupRecord); written last,
 *                                 so a backup without one is unfinished and never chosen
 */
export function backupPaths(dir: string) {
  return {
    base: join(dir, 'base'),
    wal: join(dir, 'wal'),
    archiveScript: join(dir, 'archive-wal.sh'),
    backup: (id: string) => join(dir, 'base', id),
    record: (id: string) => join(dir, 'base', `${id}.json`),
  };
}

export interface BackupRecord {
  id: string;
  label: string;
  /** Server clock when the backup began (ISO). */
  startedAt: string;
  /**
   * Server clock once the backup was complete and verified (ISO): the earliest time it can be
   * restored to, since recovery must first replay the WAL written while it was being copied.
   */
  finishedAt: string;
  timeline: number;
  startLsn: string;
  endLsn: string;
  /** The first WAL segment recovery needs: older segments are only for older backups. */
  startWalFile: string;
  bytes: number;
  seconds: number;
}

/** Finished base backups, oldest first. */
export function listBackups(dir: string): BackupRecord[] {
  const { base } = backupPaths(dir);
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(base, name), 'utf8')) as BackupRecord)
    .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

/** 24 hexadecimal digits: timeline, log and segment number. Partial and history files do not match. */
const SEGMENT = /^[0-9A-F]{24}$/;

export interface ArchiveExtent {
  segments: number;
  bytes: number;
  oldest?: string;
  newest?: string;
  /** When the newest segment arrived: WAL written after it is not in the archive yet. */
  newestArchivedAt?: Date;
}

/**
 * The archived segments, or only those from `fromSegment` on (by log position, whatever the
 * timeline): from a backup's first segment, that is the WAL a restore from it replays.
 */
export function archiveExtent(dir: string, fromSegment?: string): ArchiveExtent {
  const { wal } = backupPaths(dir);
  if (!existsSync(wal)) return { segments: 0, bytes: 0 };
  const names = readdirSync(wal)
    .filter((name) => SEGMENT.test(name) && (!fromSegment || name.slice(8) >= fromSegment.slice(8)))
    .sort((a, b) => a.slice(8).localeCompare(b.slice(8)) || a.localeCompare(b));
  let bytes = 0;
  let newestArchivedAt: Date | undefined;
  for (const name of names) {
    const stat = statSync(join(wal, name));
    bytes += stat.size;
    if (!newestArchivedAt || stat.mtime > newestArchivedAt) newestArchivedAt = stat.mtime;
  }
  return { segments: names.length, bytes, oldest: names[0], newest: names.at(-1), newestArchivedAt };
}

/** Total size of the files under a directory. */
export function directoryBytes(path: string): number {
  let bytes = 0;
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return bytes;
}
