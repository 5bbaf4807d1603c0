import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { takeBaseBackup } from '../base-backup';
import { DEFAULT_POSTGRES_BIN } from '../config';
import { listBackups, type BackupRecord } from '../layout';
import { LocalCluster } from '../local-cluster';
import type { RestoreResult } from '../restore';
import { freePort } from '../../kit/ports';
import { archiverState, startScratchPrimary, type ScratchPrimary } from '../drill/scratch-primary';
import { startProbeWriter, type ProbeWriter } from '../drill/probe-writer';
import { checkProbes, committedBy, presentProbes } from '../drill/verify';
import { prepareSystemSchema } from '../drill/system-schema';
import { runOps } from './ops-cli';

/**
 * Point-in-time recovery end to end, on a primary of the test's own archiving every second into
 * 1 MiB segments, with the system's real schema and a writer committing through it throughout:
 * `bun ops backup`, `bun ops restore` to a moment between two writes and to the end of the archive
 * after the primary is lost, the refusals, and retention.
 */
const bin = process.env.POSTGRES_BIN ?? DEFAULT_POSTGRES_BIN;
const ARCHIVE_TIMEOUT_SECONDS = 1;
const root = mkdtempSync(join(tmpdir(), 'autograph-pitr-'));
const restoredClusters: LocalCluster[] = [];
let primary: ScratchPrimary;
let writer: ProbeWriter;
let firstBackup: BackupRecord;

const env = () => ({ BACKUP_DIR: primary.backupDir, BACKUP_PGURL: primary.url(), POSTGRES_BIN: bin });

/** Waits until the archive holds a segment that arrived after `moment`, on the server's clock. */
async function archivedPast(moment: Date) {
  const sql = postgres(primary.url(), { max: 1, onnotice: () => {} });
  try {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await Bun.sleep(100)) {
      const state = await archiverState(sql);
      if (state.lastArchivedAt && state.lastArchivedAt.getTime() > moment.getTime() + 100) return;
    }
    throw new Error(`nothing archived after ${moment.toISOString()} within 20 s`);
  } finally {
    await sql.end();
  }
}

async function restoreWithCli(to: string, name: string) {
  const port = await freePort();
  const targetDir = join(root, name);
  const run = await runOps(['restore', '--to', to, '--target-dir', targetDir, '--port', String(port), '--json'], env());
  restoredClusters.push(new LocalCluster(bin, targetDir, join(targetDir, 'restore.log')));
  return { ...run, url: `postgres://postgres@127.0.0.1:${port}/autograph` };
}

beforeAll(async () => {
  primary = await startScratchPrimary({
    bin,
    root,
    archiveTimeoutSeconds: ARCHIVE_TIMEOUT_SECONDS,
    walSegmentMiB: 1,
    fsync: false,
  });
  // A slice of the seed: the writer needs a seller and a model; the size does not matter here.
  await prepareSystemSchema(primary.url(), 'small', 0.005);
  writer = await startProbeWriter(primary.url());
}, 120_000);

afterAll(async () => {
  await writer?.stop();
  for (const cluster of [primary?.cluster, ...restoredClusters]) {
    if (cluster && (await cluster.isRunning())) await cluster.stop('immediate');
  }
  rmSync(root, { recursive: true, force: true });
});

describe('bun ops backup and restore', () => {
  test('backup: a verified base backup of the whole cluster, listed once complete', async () => {
    const run = await runOps(['backup', '--json'], env());
    expect(run.code, run.stderr).toBe(0);
    firstBackup = JSON.parse(run.stdout) as BackupRecord;
    expect(listBackups(primary.backupDir).map((backup) => backup.id)).toEqual([firstBackup.id]);
    expect(new Date(firstBackup.finishedAt) > new Date(firstBackup.startedAt)).toBe(true);
    expect(firstBackup.startWalFile).toMatch(/^[0-9A-F]{24}$/);
  });

  test('restore to a moment between two writes: every write acknowledged before it, none started after', async () => {
    await Bun.sleep(1_000);
    const target = await writer.nextGap();
    await Bun.sleep(500);
    await archivedPast(target);

    const run = await restoreWithCli(target.toISOString(), 'restored-to-target');
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as RestoreResult;
    expect(result.backup.id).toBe(firstBackup.id);
    const check = await checkProbes(run.url, writer.writes, target.getTime());
    expect(check.expected).toBeGreaterThan(20);
    expect(check.missing).toEqual([]);
    expect(check.unexpected).toEqual([]);
    expect(check.torn).toEqual([]);
    // Exactly the writes the primary committed by the target, by its own commit timestamps.
    expect([...(await presentProbes(run.url))].sort()).toEqual([...(await committedBy(primary.url(), target))].sort());
    expect(new Date(result.recovery.lastReplayedAt!) <= target).toBe(true);
    expect(new Date(result.recovery.stoppedBefore!.at) > target).toBe(true);
    expect(result.recovery.timeline).toBe(2);
    // Promoted: it takes writes.
    const sql = postgres(run.url, { max: 1, onnotice: () => {} });
    try {
      expect((await sql`select pg_is_in_recovery() as recovering`)[0]!.recovering).toBe(false);
    } finally {
      await sql.end();
    }
  }, 60_000);

  test('refusals: bad time, future, before the oldest backup, a directory in use, no BACKUP_DIR', async () => {
    const emptyDir = join(root, 'never-used');
    const restoreTo = (to: string, targetDir = emptyDir) =>
      runOps(['restore', '--to', to, '--target-dir', targetDir, '--port', '1'], env());
    const badTime = await restoreTo('2026-13-01T00:00:00Z');
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('not an ISO 8601 time');
    expect((await restoreTo('2026-01-01T00:00:00')).code).toBe(2); // no zone
    const future = await restoreTo(new Date(Date.now() + 3_600_000).toISOString());
    expect(future.code).toBe(3);
    expect(future.stderr).toContain('in the future');
    const beforeOldest = await restoreTo(new Date(new Date(firstBackup.startedAt).getTime() - 1_000).toISOString());
    expect(beforeOldest.code).toBe(3);
    expect(beforeOldest.stderr).toContain('before the oldest base backup');
    const inUse = join(root, 'in-use');
    mkdirSync(inUse);
    writeFileSync(join(inUse, 'PG_VERSION'), '15\n');
    const notEmpty = await restoreTo(new Date().toISOString(), inUse);
    expect(notEmpty.code).toBe(3);
    expect(notEmpty.stderr).toContain('is not empty');
    const noDir = await runOps(['list'], { POSTGRES_BIN: bin });
    expect(noDir.code).toBe(78);
    expect(noDir.stderr).toContain('BACKUP_DIR');
    expect(readdirSync(root)).not.toContain('never-used');
  }, 30_000);

  test('prune --keep 1: the older backup and the WAL only it needed are removed', async () => {
    const second = await takeBaseBackup({ dir: primary.backupDir, url: primary.url(), bin });
    const run = await runOps(['prune', '--keep', '1'], env());
    expect(run.code, run.stderr).toBe(0);
    expect(listBackups(primary.backupDir).map((backup) => backup.id)).toEqual([second.id]);
    const segments = readdirSync(join(primary.backupDir, 'wal')).filter((name) => /^[0-9A-F]{24}$/.test(name));
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.every((name) => name.slice(8) >= second.startWalFile.slice(8))).toBe(true);
    const list = await runOps(['list'], env());
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(second.id);
    expect(list.stdout).not.toContain(firstBackup.id);
    expect(list.stdout).toMatch(/WAL since the newest backup: \d/);
    const pruned = await runOps(
      ['restore', '--to', firstBackup.finishedAt, '--target-dir', join(root, 'never-used'), '--port', '1'],
      env(),
    );
    expect(pruned.code).toBe(3);
  }, 60_000);

  test('primary lost mid-write: --to latest keeps every write but about the last archive_timeout (RPO)', async () => {
    await Bun.sleep(2_000 + Math.random() * 1_000);
    const lostAt = Date.now();
    await primary.cluster.stop('immediate');
    await writer.ended;

    const beyond = await restoreWithCli(new Date(lostAt).toISOString(), 'restored-beyond-archive');
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toContain('the archive ends before');

    const run = await restoreWithCli('latest', 'restored-latest');
    expect(run.code, run.stderr).toBe(0);
    const check = await checkProbes(run.url, writer.writes, lostAt);
    expect(check.torn).toEqual([]);
    const newest = check.newestPresent!;
    // A prefix: every write up to the newest one restored is there (one writer, one at a time).
    expect(check.present).toBe(newest.seq);
    const lossMs = lostAt - newest.ackedAt!;
    console.log(`primary lost: ${check.missing.length} acknowledged writes lost, the last ${lossMs} ms`);
    expect(lossMs).toBeLessThan(ARCHIVE_TIMEOUT_SECONDS * 1_000 + 2_500);
  }, 60_000);
});
