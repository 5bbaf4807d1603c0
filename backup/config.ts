import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { ConfigError, env, parseConfig } from '../kit/config';

/** Where Debian and Ubuntu install the PostgreSQL 15 server programs. */
export const DEFAULT_POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

const postgresBin = z
  .string()
  .default(DEFAULT_POSTGRES_BIN)
  .refine(
    (dir) => existsSync(join(dir, 'pg_basebackup')) && existsSync(join(dir, 'pg_ctl')),
    'must be the directory holding pg_basebackup, pg_ctl and the other server programs',
  );

/** Base backups (base/) and the WAL archive (wal/) live here; the server must be able to write wal/. */
const backupDir = z
  .string({ error: 'must be set: the directory holding the base backups and the WAL archive' })
  .refine(isAbsolute, 'must be an absolute path');

const schema = (needsBackupDir: boolean) =>
  z.object({
    BACKUP_DIR: needsBackupDir ? backupDir : backupDir.optional(),
    /** The cluster to back up; DATABASE_URL when unset (any database of the cluster: all are copied). */
    BACKUP_PGURL: env.postgresUrl().optional(),
    DATABASE_URL: env.postgresUrl().optional(),
    POSTGRES_BIN: postgresBin,
  });

export interface OpsConfig {
  backupDir: string;
  /** The primary's URL; empty when the command does not need it. */
  primaryUrl: string;
  bin: string;
}

/**
 * The environment of `bun ops`, validated before the command runs. BACKUP_DIR is needed by every
 * command but `drill` (which makes its own), the primary's URL by `backup` and `archive-setup --apply`.
 */
export function loadOpsConfig(
  needs: { backupDir: boolean; primaryUrl: boolean },
  source: Record<string, string | undefined> = process.env,
): OpsConfig {
  const raw = parseConfig(schema(needs.backupDir), source);
  const primaryUrl = raw.BACKUP_PGURL ?? raw.DATABASE_URL;
  if (needs.primaryUrl && !primaryUrl)
    throw new ConfigError([
      'BACKUP_PGURL (unset): must be set (or DATABASE_URL) to a postgres:// URL of the cluster to back up',
    ]);
  return { backupDir: raw.BACKUP_DIR ?? '', primaryUrl: primaryUrl ?? '', bin: raw.POSTGRES_BIN };
}
