import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { redactUrl } from '../kit/db';
import { prepareBackupDir } from './archive-setup';
import { refused } from './errors';
import { backupPaths, directoryBytes, type BackupRecord } from './layout';
import { giveToServer, runAsServer } from './server-account';

export interface BackupOptions {
  dir: string;
  /** Any database of the cluster to back up (the whole cluster is copied). */
  url: string;
  bin: string;
  log?: (line: string) => void;
}

/** A name that sorts by time and is safe in a path: 2026-01-01T12-00-00-123Z. */
const backupId = (at: Date) => at.toISOString().replaceAll(':', '-').replace('.', '-');

/**
 * Takes a base backup of the whole cluster: pg_basebackup in plain format with the WAL it needs to
 * be consistent (-X stream) and a manifest, checked by pg_verifybackup, then recorded. Refuses when
 * the cluster does not archive WAL: a base backup alone restores to one moment, not to any.
 */
export async function takeBaseBackup(options: BackupOptions): Promise<BackupRecord> {
  const log = options.log ?? (() => {});
  const sql = postgres(options.url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await checkArchiving(sql, options.dir, log);
    prepareBackupDir(options.dir);
    const startedAt = await serverNow(sql);
    const id = backupId(startedAt);
    const paths = backupPaths(options.dir);
    const partial = `${paths.backup(id)}.partial`;
    mkdirSync(partial, { recursive: true, mode: 0o700 });
    giveToServer(partial);
    log(`backing up ${redactUrl(options.url)} into ${paths.backup(id)}`);
    try {
      await runAsServer([
        join(options.bin, 'pg_basebackup'),
        `--dbname=${options.url}`,
        `--pgdata=${partial}`,
        '--format=plain',
        '--wal-method=stream',
        // Now, not at the next scheduled checkpoint (which may be minutes away).
        '--checkpoint=fast',
        `--label=autograph ${id}`,
        '--manifest-checksums=CRC32C',
      ]);
      await runAsServer([join(options.bin, 'pg_verifybackup'), '--quiet', partial]);
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      throw error;
    }
    const finishedAt = await serverNow(sql);
    const label = readFileSync(join(partial, 'backup_label'), 'utf8');
    const manifest = JSON.parse(readFileSync(join(partial, 'backup_manifest'), 'utf8')) as {
      'WAL-Ranges': { Timeline: number; 'Start-LSN': string; 'End-LSN': string }[];
    };
    const walRange = manifest['WAL-Ranges'].at(-1)!;
    const record: BackupRecord = {
      id,
      label: `autograph ${id}`,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      timeline: walRange.Timeline,
      startLsn: manifest['WAL-Ranges'][0]!['Start-LSN'],
      endLsn: walRange['End-LSN'],
      startWalFile: labelField(label, /^START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)$/m),
      bytes: directoryBytes(partial),
      seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    };
    renameSync(partial, paths.backup(id));
    // The record last, through a rename: a backup is listed only once it is whole.
    writeFileSync(`${paths.record(id)}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(`${paths.record(id)}.tmp`, paths.record(id));
    log(`backup ${id}: ${(record.bytes / 2 ** 20).toFixed(1)} MiB in ${record.seconds.toFixed(1)} s, verified`);
    return record;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function labelField(label: string, pattern: RegExp): string {
  const match = label.match(pattern);
  if (!match) throw new Error(`backup_label has no line matching ${pattern}:\n${label}`);
  return match[1]!;
}

async function serverNow(sql: postgres.Sql): Promise<Date> {
  const [row] = await sql<{ now: Date }[]>`select clock_timestamp() as now`;
  return row!.now;
}

/**
 * Refuses a cluster that does not archive WAL, and warns when its archive_command does not write
 * into this BACKUP_DIR or archiving is failing: restores would stop at the archive's gap.
 */
async function checkArchiving(sql: postgres.Sql, dir: string, log: (line: string) => void) {
  const settings = Object.fromEntries(
    (
      await sql<{ name: string; setting: string }[]>`
        select name, setting from pg_settings where name in ('archive_mode', 'archive_command', 'wal_level')`
    ).map((row) => [row.name, row.setting]),
  );
  if (settings.archive_mode === 'off' || settings.wal_level === 'minimal')
    throw refused(
      `the cluster does not archive WAL (archive_mode=${settings.archive_mode}, wal_level=${settings.wal_level}): ` +
        'a base backup without the archive cannot be restored to a point in time. Run `bun ops archive-setup`.',
    );
  if (!settings.archive_command?.includes(backupPaths(dir).archiveScript))
    log(`warning: archive_command (${settings.archive_command}) does not write into ${dir}/wal`);
  const [archiver] = await sql<{ failing: boolean; last_failed_wal: string | null }[]>`
    select coalesce(last_failed_time > coalesce(last_archived_time, '-infinity'), false) as failing, last_failed_wal
    from pg_stat_archiver`;
  if (archiver?.failing) log(`warning: archiving is failing (last failed segment ${archiver.last_failed_wal})`);
}
