import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { Scale } from '../../seed';
import { takeBaseBackup } from '../base-backup';
import { LocalCluster } from '../local-cluster';
import { lsnDistance } from '../recovery-log';
import { restore, RESTORE_LOG, type RestoreResult } from '../restore';
import { startProbeWriter } from './probe-writer';
import { rpoSeconds, writeDrillReport, type DrillReport } from './report';
import { freePort } from '../../kit/ports';
import { archiverState, startScratchPrimary } from './scratch-primary';
import { prepareSystemSchema } from './system-schema';
import { checkProbes, committedBy, presentProbes } from './verify';

export interface DrillOptions {
  bin: string;
  seed: Scale;
  archiveTimeoutSeconds: number;
  log: (line: string) => void;
}

/** The goals this drill checks: what a lost primary may lose, and how long a restore may take. */
export const GOALS = { rpoSeconds: 60, rtoSeconds: 300 };

/**
 * `bun ops drill`: a primary of its own (production settings, archiving as archive-setup sets it),
 * the system's schema and seed, a writer committing throughout, a base backup, WAL-heavy churn
 * after it, then two restores timed and checked: to a moment between two writes, and to the end of
 * the archive after the primary is killed. Writes perf/results/pitr-drill.md and .json.
 */
export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const { bin, log } = options;
  const root = mkdtempSync(join(tmpdir(), 'autograph-pitr-drill-'));
  const clusters: LocalCluster[] = [];
  const started = Date.now();
  try {
    log(`drill in ${root}: primary with archive_timeout ${options.archiveTimeoutSeconds}s`);
    const primary = await startScratchPrimary({ bin, root, archiveTimeoutSeconds: options.archiveTimeoutSeconds });
    clusters.push(primary.cluster);
    const seedStarted = performance.now();
    await prepareSystemSchema(primary.url(), options.seed, 1, (line) => log(`  seed ${line.trim()}`));
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const sql = postgres(primary.url(), { max: 1, onnotice: () => {} });
    const [{ bytes: databaseBytes }] = await sql<{ bytes: string }[]>`select pg_database_size('autograph') as bytes`;

    const writer = await startProbeWriter(primary.url());
    const lagSamples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      const probe = postgres(primary.url(), { max: 1, onnotice: () => {} });
      while (sampling) {
        const state = await archiverState(probe).catch(() => null);
        if (state?.lastArchivedAt) lagSamples.push((state.now.getTime() - state.lastArchivedAt.getTime()) / 1000);
        await Bun.sleep(500);
      }
      await probe.end({ timeout: 1 }).catch(() => {});
    })();

    const backup = await takeBaseBackup({ dir: primary.backupDir, url: primary.url(), bin, log });
    log('churn after the backup: every offer repriced, in batches, while the writer goes on');
    const churn = await repriceEveryOffer(sql);
    await Bun.sleep(5_000);
    const target = await writer.nextGap();
    log(`target ${target.toISOString()}; writing on until the archive has passed it`);
    await Bun.sleep(5_000);
    await waitArchivedPast(sql, target, options.archiveTimeoutSeconds);

    const pointInTime = await restore({
      dir: primary.backupDir,
      bin,
      to: target,
      targetDir: join(root, 'restored-to-target'),
      port: await freePort(),
      log,
    });
    clusters.push(clusterOf(bin, pointInTime));
    const restoredUrl = `postgres://postgres@127.0.0.1:${pointInTime.port}/autograph`;
    const pointCheck = await checkProbes(restoredUrl, writer.writes, target.getTime());
    const exact = sameSet(await presentProbes(restoredUrl), await committedBy(primary.url(), target));
    await clusters.at(-1)!.stop();
    log(`restored to the target in ${pointInTime.totalSeconds.toFixed(1)} s; ${pointCheck.present} probe writes`);

    // The primary is lost at a moment that is not a segment boundary, after writing on for a while.
    await Bun.sleep((options.archiveTimeoutSeconds + Math.random() * options.archiveTimeoutSeconds) * 1_000);
    // Only the writer is connected when the primary dies: it is the client whose loss is measured.
    sampling = false;
    await sampler;
    await sql.end({ timeout: 1 }).catch(() => {});
    const lostAt = Date.now();
    await primary.cluster.stop('immediate');
    await writer.ended;
    log(`primary killed at ${new Date(lostAt).toISOString()}; restoring everything the archive holds`);
    const latest = await restore({
      dir: primary.backupDir,
      bin,
      to: 'latest',
      targetDir: join(root, 'restored-latest'),
      port: await freePort(),
      log,
    });
    clusters.push(clusterOf(bin, latest));
    const latestCheck = await checkProbes(
      `postgres://postgres@127.0.0.1:${latest.port}/autograph`,
      writer.writes,
      lostAt,
    );
    const newest = latestCheck.newestPresent;
    const lossSeconds = newest?.ackedAt ? (lostAt - newest.ackedAt) / 1000 : Number.NaN;

    const report: DrillReport = {
      at: new Date(started).toISOString(),
      seed: options.seed,
      archiveTimeoutSeconds: options.archiveTimeoutSeconds,
      seedSeconds,
      databaseBytes: Number(databaseBytes),
      backup,
      churn,
      writes: writer.writes.length,
      pointInTime: {
        target: target.toISOString(),
        restore: pointInTime,
        check: pointCheck,
        matchesCommitTimestamps: exact,
      },
      lostPrimary: {
        lostAt: new Date(lostAt).toISOString(),
        restore: latest,
        check: latestCheck,
        lostWrites: latestCheck.missing.length,
        lossSeconds,
      },
      archiveLagSeconds: summarize(lagSamples),
      goals: GOALS,
      passed: false,
    };
    report.passed =
      pointCheck.missing.length === 0 &&
      pointCheck.unexpected.length === 0 &&
      pointCheck.torn.length === 0 &&
      latestCheck.torn.length === 0 &&
      latestCheck.present === newest?.seq &&
      exact &&
      rpoSeconds(report) <= GOALS.rpoSeconds &&
      Math.max(pointInTime.totalSeconds, latest.totalSeconds) <= GOALS.rtoSeconds;
    const files = writeDrillReport(report);
    log(`${report.passed ? 'every goal met' : 'GOAL MISSED'}; report: ${files.join(', ')}`);
    return report;
  } finally {
    for (const cluster of clusters) if (await cluster.isRunning()) await cluster.stop('immediate').catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

const clusterOf = (bin: string, result: RestoreResult) =>
  new LocalCluster(bin, result.targetDir, join(result.targetDir, RESTORE_LOG));

const sameSet = (a: Set<number>, b: Set<number>) => a.size === b.size && [...a].every((value) => b.has(value));

/** WAL worth replaying: every offer's price changed, 20,000 rows per transaction. */
async function repriceEveryOffer(sql: postgres.Sql) {
  const started = performance.now();
  const [{ lsn: from }] = await sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
  let rows = 0;
  for (let last = '00000000-0000-0000-0000-000000000000'; ; ) {
    const [{ upto }] = await sql<{ upto: string | null }[]>`
      select max(id::text) as upto from (select id from offers.offers where id > ${last} order by id limit 20000) batch`;
    if (!upto) break;
    const result = await sql`
      update offers.offers set price = price + 1, updated_at = now() where id > ${last} and id <= ${upto}`;
    rows += result.count;
    last = upto;
  }
  const [{ lsn: to }] = await sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
  return { rows, walBytes: lsnDistance(from, to), seconds: (performance.now() - started) / 1000 };
}

/** Until a segment that arrived after `moment` is archived: archive_timeout bounds the wait. */
async function waitArchivedPast(sql: postgres.Sql, moment: Date, archiveTimeoutSeconds: number) {
  const deadline = Date.now() + (archiveTimeoutSeconds * 3 + 30) * 1_000;
  while (Date.now() < deadline) {
    const state = await archiverState(sql);
    if (state.lastArchivedAt && state.lastArchivedAt.getTime() > moment.getTime() + 100) return;
    await Bun.sleep(250);
  }
  throw new Error(`nothing archived after ${moment.toISOString()} within ${archiveTimeoutSeconds * 3 + 30} s`);
}

function summarize(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { samples: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? Number.NaN };
}
