import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from './errors';
import { archiveExtent, backupPaths, listBackups, type BackupRecord } from './layout';
import { runAsServer } from './server-account';

export interface PruneResult {
  removed: BackupRecord[];
  kept: BackupRecord[];
  walSegmentsRemoved: number;
  walBytesFreed: number;
}

/**
 * Retention: keeps the `keep` newest base backups and removes the older ones, then the archived
 * WAL older than the oldest kept backup's first segment (pg_archivecleanup): no kept backup needs
 * it, and no restore can go back before that backup anyway.
 */
export async function prune(options: { dir: string; bin: string; keep: number }): Promise<PruneResult> {
  if (!Number.isInteger(options.keep) || options.keep < 1)
    throw usageError(`--keep must be a whole number of at least 1, got ${options.keep}`);
  const backups = listBackups(options.dir);
  const kept = backups.slice(-options.keep);
  const removed = backups.slice(0, -options.keep);
  const paths = backupPaths(options.dir);
  for (const backup of removed) {
    // The record first: a backup without one is never chosen, even if removing its files fails halfway.
    rmSync(paths.record(backup.id), { force: true });
    rmSync(paths.backup(backup.id), { recursive: true, force: true });
  }
  const before = archiveExtent(options.dir);
  const oldestKept = kept[0];
  if (oldestKept && before.segments)
    await runAsServer([join(options.bin, 'pg_archivecleanup'), paths.wal, oldestKept.startWalFile]);
  const after = archiveExtent(options.dir);
  return {
    removed,
    kept,
    walSegmentsRemoved: before.segments - after.segments,
    walBytesFreed: before.bytes - after.bytes,
  };
}
