import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BackupRecord } from '../layout';
import type { RestoreResult } from '../restore';
import type { ProbeCheck } from './verify';

export interface DrillReport {
  at: string;
  seed: string;
  archiveTimeoutSeconds: number;
  seedSeconds: number;
  databaseBytes: number;
  backup: BackupRecord;
  churn: { rows: number; walBytes: number; seconds: number };
  writes: number;
  pointInTime: { target: string; restore: RestoreResult; check: ProbeCheck; matchesCommitTimestamps: boolean };
  lostPrimary: { lostAt: string; restore: RestoreResult; check: ProbeCheck; lostWrites: number; lossSeconds: number };
  /** Age of the newest archived segment, sampled every 0.5 s while writing: data at risk at that moment. */
  archiveLagSeconds: { samples: number; p50: number; p95: number; max: number };
  goals: { rpoSeconds: number; rtoSeconds: number };
  passed: boolean;
}

const RESULTS = new URL('../../perf/results/', import.meta.url);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const s = (seconds: number) => `${seconds.toFixed(1)} s`;
const mark = (ok: boolean) => (ok ? 'pass' : 'FAIL');

/** Writes perf/results/pitr-drill.json (everything) and .md (the summary); returns their paths. */
export function writeDrillReport(report: DrillReport): string[] {
  const json = fileURLToPath(new URL('pitr-drill.json', RESULTS));
  const md = fileURLToPath(new URL('pitr-drill.md', RESULTS));
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, renderMarkdown(report));
  return [md, json];
}

function restoreRow(name: string, result: RestoreResult) {
  const replayed = result.replayedWalBytes ?? 0;
  return `| ${name} | ${s(result.totalSeconds)} | ${s(result.copySeconds)} | ${s(result.recoverySeconds)} | ${mib(replayed)} | ${(replayed / 2 ** 20 / Math.max(result.recoverySeconds, 0.001)).toFixed(0)} MiB/s |`;
}

/** Seconds per GiB at the rate `bytes` took `seconds`. */
const perGiB = (bytes: number, seconds: number) => (bytes > 0 ? (seconds * 2 ** 30) / bytes : Number.NaN);

/**
 * The RPO this run shows: the worst age of the newest archived segment seen while writing (what a
 * loss at that moment would have cost), or what the kill actually lost if that was worse.
 */
export function rpoSeconds(r: DrillReport): number {
  return Math.max(r.archiveLagSeconds.max, r.lostPrimary.lossSeconds);
}

function renderMarkdown(r: DrillReport): string {
  const point = r.pointInTime;
  const lost = r.lostPrimary;
  const rto = Math.max(point.restore.totalSeconds, lost.restore.totalSeconds);
  const lag = r.archiveLagSeconds;
  return `# Point-in-time recovery drill: ${r.passed ? 'every goal met' : 'GOAL MISSED'}

\`bun ops drill --seed ${r.seed}\`, ${r.at}. A primary of the drill's own (PostgreSQL 15, 16 MiB WAL
segments, fsync on) archives through BACKUP_DIR/archive-wal.sh with \`archive_timeout = ${r.archiveTimeoutSeconds}s\`, as
\`bun ops archive-setup\` sets up production. It holds the \`${r.seed}\` seed and every migration, the
subgraphs' and the registry's (one database, ${mib(r.databaseBytes)}, loaded in ${s(r.seedSeconds)}). A writer
committed ${r.writes} transactions throughout, one every ~20 ms, each an offer, its outbox event and a
registry audit row.

| step | figure |
|------|--------|
| base backup (pg_basebackup -X stream, then pg_verifybackup) | ${mib(r.backup.bytes)} in ${s(r.backup.seconds)} |
| churn after the backup, so there is WAL to replay | ${r.churn.rows} offers repriced: ${mib(r.churn.walBytes)} of WAL in ${s(r.churn.seconds)} |

## RPO: what a lost primary loses

| measure | figure |
|---------|-------:|
| age of the newest archived segment, sampled every 0.5 s while writing (${lag.samples} samples) | p50 ${s(lag.p50)}, p95 ${s(lag.p95)}, max **${s(lag.max)}** |
| primary killed (\`pg_ctl stop -m immediate\`) at ${lost.lostAt}, then \`restore --to latest\` | ${lost.lostWrites} acknowledged writes lost: the last **${s(lost.lossSeconds)}** |

The bound is archive_timeout (${r.archiveTimeoutSeconds} s) plus the copy into the archive: a kill at a random moment
loses part of it, the worst moment all of it.

## RTO: how long a restore takes

| restore | total | copy | recovery to promotion | WAL replayed | replay rate |
|---------|------:|-----:|----------------------:|-------------:|------------:|
${restoreRow(`to ${point.target}`, point.restore)}
${restoreRow('to the end of the archive, after the kill', lost.restore)}

A restore copies the base backup, then replays the WAL written since it. At these rates each GiB of
base backup adds ~${s(perGiB(r.backup.bytes, point.restore.copySeconds))} and each GiB of WAL to replay
~${s(perGiB(point.restore.replayedWalBytes ?? 0, point.restore.recoverySeconds))}: take base backups often enough that the WAL since
the newest one replays within the goal.

## Checks

- ${mark(point.check.missing.length === 0)}: every write acknowledged before the target (minus 5 ms) is restored (${point.check.expected} expected, ${point.check.missing.length} missing)
- ${mark(point.check.unexpected.length === 0)}: no write started after the target (plus 5 ms) is restored (${point.check.unexpected.length} found)
- ${mark(point.matchesCommitTimestamps)}: the restored writes are exactly those the primary committed by the target, by its commit timestamps
- ${mark(point.check.torn.length === 0 && lost.check.torn.length === 0)}: no transaction restored in part (offer, outbox event and registry row always together)
- ${mark(lost.check.present === lost.check.newestPresent?.seq)}: after the kill, the restore holds every write up to the newest it has (${lost.check.newestPresent?.seq}): a prefix, no gaps
- last transaction replayed ${point.restore.recovery.lastReplayedAt}, first left out ${point.restore.recovery.stoppedBefore?.at} (target ${point.target})
- ${mark(rpoSeconds(r) <= r.goals.rpoSeconds)}: RPO ≤ ${r.goals.rpoSeconds} s (worst seen: ${s(rpoSeconds(r))})
- ${mark(rto <= r.goals.rtoSeconds)}: RTO ≤ ${r.goals.rtoSeconds} s (slower restore: ${s(rto)})
`;
}
