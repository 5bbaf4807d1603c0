import postgres from 'postgres';
import type { ProbeWrite } from './probe-writer';

/**
 * Clock granularity between this machine's millisecond clock and the server's microsecond commit
 * times: a write acknowledged before target − ε committed before the target, a write started after
 * target + ε committed after it.
 */
export const GUARD_BAND_MS = 5;

export interface ProbeCheck {
  /** Writes acknowledged before target − ε: each must be in the restored cluster. */
  expected: number;
  /** Probe writes found in the restored cluster (in all three tables). */
  present: number;
  /** Expected writes that are not there. */
  missing: number[];
  /** Writes started after target + ε that are there anyway. */
  unexpected: number[];
  /** Writes found in some of the three tables but not all: a transaction restored in part. */
  torn: number[];
  /** Writes within the guard band, or whose outcome the writer did not learn: either way is right. */
  undecided: number;
  /** The newest write present, and when it was acknowledged. */
  newestPresent?: { seq: number; ackedAt?: number };
}

/** Which probe writes each table of a cluster holds. */
async function probeSeqs(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const seqs = async (query: Promise<{ seq: number }[]>) => new Set((await query).map((row) => row.seq));
    return {
      offers: await seqs(sql`
        select substring(title from '^PITR probe #(\\d+)$')::int as seq from offers.offers where title like 'PITR probe #%'`),
      events: await seqs(sql`
        select (payload->>'probe')::int as seq from offers.offer_events where payload ? 'probe'`),
      audit: await seqs(sql`
        select (details->>'seq')::int as seq from registry.audit where action = 'pitr.probe'`),
    };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Checks a restored cluster against the writes and the target (epoch milliseconds) they were restored to. */
export async function checkProbes(restoredUrl: string, writes: ProbeWrite[], target: number): Promise<ProbeCheck> {
  const { offers, events, audit } = await probeSeqs(restoredUrl);
  const all = new Set([...offers, ...events, ...audit]);
  const torn = [...all].filter((seq) => !(offers.has(seq) && events.has(seq) && audit.has(seq))).sort((a, b) => a - b);
  const present = new Set([...offers].filter((seq) => events.has(seq) && audit.has(seq)));
  const before = writes.filter((w) => w.ackedAt !== undefined && w.ackedAt < target - GUARD_BAND_MS);
  const after = writes.filter((w) => w.startedAt > target + GUARD_BAND_MS);
  const newest = Math.max(0, ...present);
  return {
    expected: before.length,
    present: present.size,
    missing: before.filter((w) => !present.has(w.seq)).map((w) => w.seq),
    unexpected: after.filter((w) => all.has(w.seq)).map((w) => w.seq),
    torn,
    undecided: writes.length - before.length - after.length,
    newestPresent: newest ? { seq: newest, ackedAt: writes[newest - 1]?.ackedAt } : undefined,
  };
}

/**
 * The probe writes the primary itself committed at or before `target`, by their commit
 * timestamps (track_commit_timestamp): recovery_target_time must keep exactly these.
 */
export async function committedBy(primaryUrl: string, target: Date): Promise<Set<number>> {
  const sql = postgres(primaryUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const rows = await sql<{ seq: number }[]>`
      select substring(title from '^PITR probe #(\\d+)$')::int as seq from offers.offers
      where title like 'PITR probe #%' and pg_xact_commit_timestamp(xmin) <= ${target}`;
    return new Set(rows.map((row) => row.seq));
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** The probe writes a cluster holds (all three tables agreeing is checked by checkProbes). */
export async function presentProbes(url: string): Promise<Set<number>> {
  const { offers } = await probeSeqs(url);
  return offers;
}
