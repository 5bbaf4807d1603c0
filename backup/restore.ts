import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { failed, refused } from './errors';
import { archiveExtent, backupPaths, listBackups, type BackupRecord } from './layout';
import { LocalCluster } from './local-cluster';
import { lsnDistance, readRecoveryLog, type RecoveryReport } from './recovery-log';
import { giveToServer, runAsServer } from './server-account';

export interface RestoreOptions {
  dir: string;
  bin: string;
  /** The moment to restore to, or `latest`: everything the archive holds. */
  to: Date | 'latest';
  /** A new data directory: absent or empty. */
  targetDir: string;
  port: number;
  host?: string;
  /**
   * Keep the backed-up cluster's archive settings, so the restored cluster archives its new
   * timeline: for a restore that becomes the primary. Off by default: a cluster restored to look
   * at the past must not add its timeline to the archive, where later restores would follow it.
   */
  keepArchiving?: boolean;
  /** Give up waiting for recovery after this long (default one hour). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface RestoreResult {
  backup: BackupRecord;
  target: string;
  targetDir: string;
  port: number;
  host: string;
  /** Copying the base backup, then recovery until the cluster accepted writes, then both. */
  copySeconds: number;
  recoverySeconds: number;
  totalSeconds: number;
  recovery: RecoveryReport;
  replayedWalBytes?: number;
  logFile: string;
}

/** pg_ctl's log of the restored server, beside its data directory's files. */
export const RESTORE_LOG = 'restore.log';

/**
 * Point-in-time recovery into a new cluster: the newest base backup finished before the target,
 * copied into `targetDir`, started with recovery.signal and a restore_command reading the archive,
 * replayed up to the target (the first transaction committed after it is left out) and promoted.
 * Refusals (nothing changed) and failures are OpsErrors with their exit codes.
 */
export async function restore(options: RestoreOptions): Promise<RestoreResult> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const started = performance.now();
  const backup = chooseBackup(options.dir, options.to);
  checkTargetDir(options.targetDir);
  if (await portAnswers(host, options.port))
    throw refused(`port ${options.port} on ${host} is in use: pass --port with a free one`);
  const target = options.to === 'latest' ? 'latest' : options.to.toISOString();
  warnIfBeyondArchive(options.dir, options.to, log);

  log(`restoring base backup ${backup.id} (finished ${backup.finishedAt}) into ${options.targetDir}`);
  mkdirSync(options.targetDir, { recursive: true });
  // PostgreSQL refuses a data directory others can read, and an existing empty one may be 0755.
  chmodSync(options.targetDir, 0o700);
  giveToServer(options.targetDir);
  await runAsServer(['cp', '-a', `${backupPaths(options.dir).backup(backup.id)}/.`, options.targetDir]);
  const copied = performance.now();
  configureRecovery(options, backup, host, target);

  const cluster = new LocalCluster(options.bin, options.targetDir, join(options.targetDir, RESTORE_LOG));
  log(`replaying the archive up to ${target} (log: ${cluster.logFile})`);
  const timeoutMs = options.timeoutMs ?? 3_600_000;
  const deadline = Date.now() + timeoutMs;
  try {
    // Returns once the server accepts read-only connections (consistent), or fails if it exits first.
    await cluster.start(timeoutMs / 1000);
  } catch {
    if (await cluster.isRunning()) await giveUp(cluster, timeoutMs);
    throw recoveryFailure(cluster, target);
  }
  await waitForPromotion(cluster, deadline, timeoutMs, target);
  const done = performance.now();
  const recovery = readRecoveryLog(cluster.readLog());
  return {
    backup,
    target,
    targetDir: options.targetDir,
    port: options.port,
    host,
    copySeconds: (copied - started) / 1000,
    recoverySeconds: (done - copied) / 1000,
    totalSeconds: (done - started) / 1000,
    recovery,
    replayedWalBytes:
      recovery.redoStart && recovery.redoDone ? lsnDistance(recovery.redoStart, recovery.redoDone) : undefined,
    logFile: cluster.logFile,
  };
}

function chooseBackup(dir: string, to: Date | 'latest'): BackupRecord {
  const backups = listBackups(dir);
  if (!backups.length) throw refused(`no base backup in ${backupPaths(dir).base}: take one with \`bun ops backup\``);
  if (to === 'latest') return backups.at(-1)!;
  if (to.getTime() > Date.now())
    throw refused(`${to.toISOString()} is in the future (now ${new Date().toISOString()}): nothing to restore yet`);
  const usable = backups.filter((backup) => new Date(backup.finishedAt) < to);
  if (!usable.length)
    throw refused(
      `${to.toISOString()} is before the oldest base backup, which finished at ${backups[0]!.finishedAt}: ` +
        'no backup holds the data as it was then',
    );
  return usable.at(-1)!;
}

function checkTargetDir(targetDir: string) {
  if (existsSync(targetDir) && readdirSync(targetDir).length)
    throw refused(`${targetDir} is not empty: restore writes a new cluster into an empty or missing directory`);
}

/** Whether something already listens there: the restored server would fail to start. */
function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const answer = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(1_000);
    socket.once('connect', () => answer(true));
    socket.once('error', () => answer(false));
    socket.once('timeout', () => answer(false));
  });
}

/**
 * Segments arrive in the archive once full or after archive_timeout; a transaction committed after
 * the newest one arrived is not there, so recovery cannot reach a target after it (PostgreSQL then
 * stops with "recovery ended before configured recovery target was reached").
 */
function warnIfBeyondArchive(dir: string, to: Date | 'latest', log: (line: string) => void) {
  const extent = archiveExtent(dir);
  if (!extent.segments) {
    log(`warning: the WAL archive ${backupPaths(dir).wal} is empty: only the base backup itself can be restored`);
    return;
  }
  if (to !== 'latest' && extent.newestArchivedAt && to > extent.newestArchivedAt)
    log(
      `warning: the newest archived segment (${extent.newest}) arrived at ${extent.newestArchivedAt.toISOString()}, ` +
        `before ${to.toISOString()}: transactions after it are not in the archive`,
    );
}

/**
 * recovery.signal plus the recovery settings, appended to postgresql.auto.conf (read last, so they
 * win over the backed-up cluster's own). The restored server listens only where asked, keeps no
 * Unix socket (the backed-up cluster's socket directory may be another server's), logs in English
 * to restore.log (read back for the report), and does not archive unless asked.
 */
function configureRecovery(options: RestoreOptions, backup: BackupRecord, host: string, target: string) {
  const data = options.targetDir;
  const write = (name: string, text: string) => {
    writeFileSync(join(data, name), text);
    giveToServer(join(data, name));
  };
  // A backup of a packaged server (Debian keeps its configuration in /etc) has no configuration files.
  if (!existsSync(join(data, 'postgresql.conf'))) write('postgresql.conf', '');
  if (!existsSync(join(data, 'pg_hba.conf')))
    write('pg_hba.conf', 'host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n');
  if (!existsSync(join(data, 'pg_ident.conf'))) write('pg_ident.conf', '');
  rmSync(join(data, 'standby.signal'), { force: true });
  write('recovery.signal', '');
  const wal = backupPaths(options.dir).wal;
  const settings: Record<string, string> = {
    restore_command: `cp "${wal}/%f" "%p"`,
    // The setting's parser takes "2026-01-01 12:00:00.123+00", not ISO 8601's T and Z.
    ...(target === 'latest' ? {} : { recovery_target_time: target.replace('T', ' ').replace('Z', '+00') }),
    recovery_target_action: 'promote',
    recovery_target_timeline: 'latest',
    port: String(options.port),
    listen_addresses: host,
    unix_socket_directories: '',
    logging_collector: 'off',
    lc_messages: 'C',
    ...(options.keepArchiving ? {} : { archive_mode: 'off' }),
  };
  const auto = join(data, 'postgresql.auto.conf');
  if (!existsSync(auto)) write('postgresql.auto.conf', '');
  appendFileSync(
    auto,
    `\n# bun ops restore, ${new Date().toISOString()}: base backup ${backup.id} recovered to ${target}\n${Object.entries(
      settings,
    )
      .map(([name, value]) => `${name} = '${value.replaceAll("'", "''")}'`)
      .join('\n')}\n`,
  );
}

/**
 * Until pg_control says `in production`: recovery has ended and the cluster is promoted. (The
 * server accepts connections earlier, read-only, while it still replays.) A server that exits
 * meanwhile failed.
 */
async function waitForPromotion(cluster: LocalCluster, deadline: number, timeoutMs: number, target: string) {
  for (let polls = 1; Date.now() < deadline; polls++) {
    if ((await cluster.state()) === 'in production') return;
    if (polls % 10 === 0 && !(await cluster.isRunning())) throw recoveryFailure(cluster, target);
    await Bun.sleep(100);
  }
  await giveUp(cluster, timeoutMs);
}

async function giveUp(cluster: LocalCluster, timeoutMs: number): Promise<never> {
  await cluster.stop('fast').catch(() => {});
  throw failed(
    `recovery did not finish within ${timeoutMs / 1000} s; the server was stopped (log: ${cluster.logFile})`,
  );
}

function recoveryFailure(cluster: LocalCluster, target: string) {
  const report = readRecoveryLog(cluster.readLog());
  if (report.endedBeforeTarget)
    return failed(
      `the archive ends before ${target}: its newest transaction committed at ${report.lastReplayedAt ?? 'an unknown time'}, ` +
        'and nothing committed after the target was archived (the primary had not archived those segments yet, or ' +
        'committed nothing since). Restore to an earlier time, or everything the archive holds with --to latest. ' +
        `The partial cluster in ${cluster.dataDir} is left for inspection; remove it before retrying.`,
    );
  return failed(
    `the restored server stopped during recovery: ${report.fatal.join('; ') || 'no FATAL message'} (log: ${cluster.logFile})`,
  );
}
