import { chmodSync, copyFileSync, mkdirSync, renameSync } from 'node:fs';
import postgres from 'postgres';
import { backupPaths } from './layout';
import { giveToServer } from './server-account';

/**
 * Seconds of WAL the primary may hold before handing a segment to the archive even though it is
 * not full: the bound on what a lost primary loses (RPO), plus the copy. 30 s keeps that under a
 * minute; each forced switch archives a whole segment (16 MiB by default) while the primary is
 * writing, so lower values cost archive space.
 */
export const DEFAULT_ARCHIVE_TIMEOUT_SECONDS = 30;

/** Creates BACKUP_DIR with base/ and wal/, owned by the server's account, and installs archive-wal.sh; safe to repeat. */
export function prepareBackupDir(dir: string): void {
  const paths = backupPaths(dir);
  for (const path of [dir, paths.base, paths.wal]) {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    giveToServer(path);
  }
  // Through a rename: the archiver may be running the installed copy right now.
  const fresh = `${paths.archiveScript}.new`;
  copyFileSync(new URL('./archive-wal.sh', import.meta.url).pathname, fresh);
  chmodSync(fresh, 0o755);
  giveToServer(fresh);
  renameSync(fresh, paths.archiveScript);
}

/** The primary's settings for continuous archiving into `dir` (names and values as postgresql.conf takes them). */
export function archiveSettings(dir: string, archiveTimeoutSeconds = DEFAULT_ARCHIVE_TIMEOUT_SECONDS) {
  return {
    wal_level: 'replica',
    archive_mode: 'on',
    archive_command: `"${backupPaths(dir).archiveScript}" "%p" "%f"`,
    archive_timeout: `${archiveTimeoutSeconds}s`,
  };
}

/** The settings as postgresql.conf lines. */
export function settingsAsConf(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([name, value]) => `${name} = ${quoteSetting(value)}`)
    .join('\n');
}

const quoteSetting = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * Writes the settings with ALTER SYSTEM (into postgresql.auto.conf) and reloads. Returns the
 * settings that wait for a restart: wal_level and archive_mode are read only at server start.
 */
export async function applySettings(url: string, settings: Record<string, string>): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    for (const [name, value] of Object.entries(settings)) {
      // ALTER SYSTEM takes no parameters; the names are ours, the values quoted as literals.
      await sql.unsafe(`alter system set ${name} = ${quoteSetting(value)}`);
    }
    await sql`select pg_reload_conf()`;
    // The reload is asynchronous: wait until this session sees it before reading pending_restart.
    await Bun.sleep(500);
    const pending = await sql<{ name: string }[]>`
      select name from pg_settings where pending_restart and name in ${sql(Object.keys(settings))}`;
    return pending.map((row) => row.name);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
