import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { freePort } from '../../kit/ports';
import { applySettings, archiveSettings, prepareBackupDir } from '../archive-setup';
import { LocalCluster } from '../local-cluster';
import { giveToServer } from '../server-account';

export interface ScratchPrimaryOptions {
  bin: string;
  /** A directory of the caller's: the primary's data, its log and the backup directory go under it. */
  root: string;
  archiveTimeoutSeconds: number;
  /** Smaller WAL segments (tests): each forced switch then archives 1 MiB, not 16. */
  walSegmentMiB?: number;
  /** fsync off for tests that do not survive power loss anyway; the drill keeps it on. */
  fsync?: boolean;
}

export interface ScratchPrimary {
  cluster: LocalCluster;
  port: number;
  url: (database?: string) => string;
  backupDir: string;
}

/**
 * A primary of the drill's (or a test's) own, archiving into `root/backups` exactly as
 * `bun ops archive-setup --apply` sets up a real one, with commit timestamps kept
 * (track_commit_timestamp) so a restore can be checked against the primary's own commit times.
 */
export async function startScratchPrimary(options: ScratchPrimaryOptions): Promise<ScratchPrimary> {
  mkdirSync(options.root, { recursive: true });
  giveToServer(options.root);
  const cluster = new LocalCluster(options.bin, join(options.root, 'primary'), join(options.root, 'primary.log'));
  await cluster.init({ walSegmentMiB: options.walSegmentMiB });
  const port = await freePort();
  appendFileSync(
    join(cluster.dataDir, 'postgresql.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'max_connections = 50',
      'shared_buffers = 256MB',
      'track_commit_timestamp = on',
      `fsync = ${options.fsync === false ? 'off' : 'on'}`,
      '',
    ].join('\n'),
  );
  await cluster.start();
  const url = (database = 'autograph') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const admin = postgres(url('postgres'), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe('create database autograph');
  } finally {
    await admin.end();
  }
  const backupDir = join(options.root, 'backups');
  prepareBackupDir(backupDir);
  const pending = await applySettings(url(), archiveSettings(backupDir, options.archiveTimeoutSeconds));
  if (pending.length) {
    await cluster.stop();
    await cluster.start();
  }
  return { cluster, port, url, backupDir };
}

/** The archiver's state on the server's clock: how old the newest archived segment is is what a crash now would lose, at most. */
export async function archiverState(sql: postgres.Sql) {
  const [row] = await sql<
    { now: Date; last_archived_time: Date | null; archived_count: string; failed_count: string }[]
  >`
    select clock_timestamp() as now, last_archived_time, archived_count, failed_count from pg_stat_archiver`;
  return {
    now: row!.now,
    lastArchivedAt: row!.last_archived_time,
    archived: Number(row!.archived_count),
    failed: Number(row!.failed_count),
  };
}
