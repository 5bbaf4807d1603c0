/**
 * `bun ops <command>`: base backups, the WAL archive and point-in-time recovery of the cluster
 * that holds every subgraph's schema and the registry's. See docs/runbooks/restore.md.
 * Exit codes: 0 done, 1 failed, 2 usage, 3 refused (nothing changed), 78 bad environment.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../kit/config';
import {
  applySettings,
  archiveSettings,
  DEFAULT_ARCHIVE_TIMEOUT_SECONDS,
  prepareBackupDir,
  settingsAsConf,
} from './archive-setup';
import { takeBaseBackup } from './base-backup';
import { loadOpsConfig } from './config';
import { EXIT, OpsError, usageError } from './errors';
import { archiveExtent, backupPaths, listBackups } from './layout';
import { prune } from './prune';
import { restore } from './restore';
import { ToolError } from './server-account';

const USAGE = `usage: bun ops <command> [options]      (BACKUP_DIR, BACKUP_PGURL or DATABASE_URL, POSTGRES_BIN)

  archive-setup [--apply] [--archive-timeout S]   install BACKUP_DIR/archive-wal.sh and print the primary's
                                                  settings; --apply sets them with ALTER SYSTEM
  backup                                          base backup of the whole cluster, verified
  list                                            base backups and the WAL archive's extent
  restore --to <ISO time|latest> --target-dir D [--port P] [--host H] [--keep-archiving] [--json]
                                                  point-in-time recovery into a new cluster
  prune --keep N                                  keep the N newest backups and the WAL they need
  drill [--seed small|large] [--archive-timeout S]
                                                  measure RPO and RTO on a cluster of its own`;

const { values, positionals } = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: {
        apply: { type: 'boolean', default: false },
        'archive-timeout': { type: 'string' },
        to: { type: 'string' },
        'target-dir': { type: 'string' },
        port: { type: 'string', default: '5433' },
        host: { type: 'string', default: '127.0.0.1' },
        'keep-archiving': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        keep: { type: 'string' },
        seed: { type: 'string', default: 'large' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(EXIT.usage);
  }
})();

const [command, ...extra] = positionals;
const log = (line: string) => console.error(line);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function wholeNumber(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const number = Number(value);
  if (value === undefined || !Number.isInteger(number) || number < 1)
    throw usageError(`--${name} must be a whole number ≥ 1`);
  return number;
}

/** An ISO 8601 time with its zone (Z or ±hh:mm): a time without one would depend on this machine's zone. */
function parseTarget(text: string | undefined): Date | 'latest' {
  if (text === undefined) throw usageError('--to is required: an ISO 8601 time with its zone, or latest');
  if (text === 'latest') return 'latest';
  const iso = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d(:?\d\d)?)$/i;
  const date = new Date(text.replace(' ', 'T'));
  if (!iso.test(text) || Number.isNaN(date.getTime()))
    throw usageError(`--to "${text}" is not an ISO 8601 time with a zone, e.g. 2026-01-01T12:00:00Z or latest`);
  return date;
}

async function main(): Promise<void> {
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (extra.length) throw usageError(`unexpected argument ${extra[0]}`);
  if (command === 'drill') {
    const config = loadOpsConfig({ backupDir: false, primaryUrl: false });
    const seed = values.seed;
    if (seed !== 'small' && seed !== 'large') throw usageError('--seed must be small or large');
    const archiveTimeout = wholeNumber('archive-timeout', values['archive-timeout'], DEFAULT_ARCHIVE_TIMEOUT_SECONDS);
    // Imported here: the drill brings the seed generator, which every other command would load for nothing.
    const { runDrill } = await import('./drill');
    const report = await runDrill({ bin: config.bin, seed, archiveTimeoutSeconds: archiveTimeout, log });
    if (!report.passed) process.exitCode = EXIT.failed;
    return;
  }
  const needsPrimary = command === 'backup' || (command === 'archive-setup' && values.apply);
  const config = loadOpsConfig({ backupDir: true, primaryUrl: needsPrimary });
  const dir = config.backupDir;
  switch (command) {
    case 'archive-setup': {
      prepareBackupDir(dir);
      const settings = archiveSettings(
        dir,
        wholeNumber('archive-timeout', values['archive-timeout'], DEFAULT_ARCHIVE_TIMEOUT_SECONDS),
      );
      console.log(
        `# ${backupPaths(dir).archiveScript} installed; the primary's settings:\n${settingsAsConf(settings)}`,
      );
      if (!values.apply) return;
      const pending = await applySettings(config.primaryUrl, settings);
      console.log(
        pending.length
          ? `applied with ALTER SYSTEM; ${pending.join(' and ')} take effect after a restart of the primary`
          : 'applied with ALTER SYSTEM and reloaded: archiving is on',
      );
      return;
    }
    case 'backup': {
      const record = await takeBaseBackup({ dir, url: config.primaryUrl, bin: config.bin, log });
      console.log(
        values.json ? JSON.stringify(record, null, 2) : `${record.id} (restorable from ${record.finishedAt})`,
      );
      return;
    }
    case 'list': {
      const backups = listBackups(dir);
      const extent = archiveExtent(dir);
      for (const backup of backups)
        console.log(
          `${backup.id}  restorable from ${backup.finishedAt}  ${mib(backup.bytes)}  from ${backup.startWalFile}`,
        );
      console.log(
        extent.segments
          ? `WAL archive: ${extent.segments} segments (${mib(extent.bytes)}), ${extent.oldest} … ${extent.newest}, ` +
              `newest arrived ${extent.newestArchivedAt?.toISOString()}`
          : 'WAL archive: empty',
      );
      const newest = backups.at(-1);
      // What a restore to now would replay: it grows until the next base backup, and RTO with it.
      if (newest) console.log(`WAL since the newest backup: ${mib(archiveExtent(dir, newest.startWalFile).bytes)}`);
      return;
    }
    case 'restore': {
      if (!values['target-dir']) throw usageError("--target-dir is required: the new cluster's data directory");
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError('--port must be a TCP port');
      const result = await restore({
        dir,
        bin: config.bin,
        to: parseTarget(values.to),
        targetDir: values['target-dir'],
        port,
        host: values.host,
        keepArchiving: values['keep-archiving'],
        log,
      });
      if (values.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      const { recovery } = result;
      console.log(
        [
          `restored to ${result.target} from base backup ${result.backup.id} in ${result.totalSeconds.toFixed(1)} s ` +
            `(copy ${result.copySeconds.toFixed(1)} s, recovery ${result.recoverySeconds.toFixed(1)} s` +
            `${result.replayedWalBytes === undefined ? '' : `, ${mib(result.replayedWalBytes)} of WAL replayed`})`,
          `last replayed transaction committed at ${recovery.lastReplayedAt ?? 'unknown (none after the backup)'}`,
          ...(recovery.stoppedBefore
            ? [`first transaction left out: ${recovery.stoppedBefore.xid}, committed at ${recovery.stoppedBefore.at}`]
            : []),
          `the cluster is promoted (timeline ${recovery.timeline ?? '?'}) and listens on ${result.host}:${result.port}`,
        ].join('\n'),
      );
      return;
    }
    case 'prune': {
      const result = await prune({ dir, bin: config.bin, keep: wholeNumber('keep', values.keep) });
      console.log(
        `removed ${result.removed.length} base backup(s) and ${result.walSegmentsRemoved} WAL segments ` +
          `(${mib(result.walBytesFreed)}); kept ${result.kept.map((backup) => backup.id).join(', ') || 'none'}`,
      );
      return;
    }
    default:
      throw usageError(`unknown command "${command}"`);
  }
}

try {
  await main();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`[ops] ${error.message}`);
    process.exit(78);
  }
  if (error instanceof OpsError) {
    console.error(`${error.message}${error.exitCode === EXIT.usage ? `\n${USAGE}` : ''}`);
    process.exit(error.exitCode);
  }
  console.error(error instanceof ToolError ? error.message : error);
  process.exit(EXIT.failed);
}
