import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../kit/db';
import type { tables } from './db/schema';

type Db = Database<typeof tables>['db'];

const MAX_AGE_MS = 31 * 24 * 3600_000;

/** One batch from a gateway: each distinct operation seen since its last flush, with a count. */
export const usageReport = z.object({
  /** The reporter's id for this batch: a batch sent again (after a lost answer, to any replica) counts once. */
  batchId: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{8,128}$/)
    .optional(),
  operations: z
    .array(
      z.object({
        hash: z.string().regex(/^[A-Za-z0-9:_-]{8,128}$/, 'hash must be 8-128 letters, digits, ":", "_" or "-"'),
        name: z.string().max(200).nullish(),
        document: z.string().min(1).max(100_000),
        coordinates: z.array(z.string().min(1).max(300)).max(5_000),
        client: z.string().max(100).nullish(),
        count: z.number().int().min(1).max(1e9),
        /** Epoch ms of the last request in this batch; defaults to now. */
        lastSeen: z.number().int().optional(),
      }),
    )
    .min(1)
    .max(5_000),
});
export type UsageReport = z.infer<typeof usageReport>;

/** Who used one schema coordinate inside the usage window. */
export interface CoordinateUsage {
  requests: number;
  operations: { hash: string; name: string | null; client: string; requests: number }[];
}

/** The data a usage-aware check relied on, named in its report. */
export interface UsageWindow {
  days: number;
  thresholdPercent: number;
  /** Requests recorded for the target in the window, all operations. */
  requests: number;
  operations: number;
  from: string | null;
  to: string | null;
}

export function createUsage(db: Db) {
  return {
    /**
     * Stores a batch: new operations once, counts added to their hour. The upsert adds in one
     * statement, so replicas recording at once never lose or double a count; a batch with a
     * `batchId` already recorded (a retry after a lost answer, on any replica) is not counted again.
     */
    async record(target: string, report: UsageReport) {
      const now = Date.now();
      const ops = report.operations.map((op) => ({
        ...op,
        client: op.client || 'unknown',
        // A clock far off must not poison the window: clamp to [now - 31 days, now].
        lastSeen: new Date(Math.min(now, Math.max(now - MAX_AGE_MS, op.lastSeen ?? now))),
      }));
      const counted = await db.transaction(async (tx) => {
        if (report.batchId) {
          const fresh = await tx.execute(sql`
            insert into registry.usage_batches (target, batch_id) values (${target}, ${report.batchId})
            on conflict do nothing returning batch_id`);
          if (fresh.length === 0) return false;
        }
        await tx.execute(sql`
          insert into registry.operations (target, hash, name, document, coordinates)
          select ${target}, o->>'hash', o->>'name', o->>'document', array(select jsonb_array_elements_text(o->'coordinates'))
          from jsonb_array_elements(${JSON.stringify(ops)}::jsonb) o
          on conflict (target, hash) do nothing`);
        await tx.execute(sql`
          insert into registry.usage (target, hash, client, hour, count, last_seen)
          select ${target}, o->>'hash', o->>'client', date_trunc('hour', (o->>'lastSeen')::timestamptz), sum((o->>'count')::bigint), max((o->>'lastSeen')::timestamptz)
          from jsonb_array_elements(${JSON.stringify(ops)}::jsonb) o
          group by 2, 3, 4
          on conflict (target, hash, client, hour) do update
            set count = registry.usage.count + excluded.count, last_seen = greatest(registry.usage.last_seen, excluded.last_seen)`);
        return true;
      });
      const requests = ops.reduce((sum, op) => sum + op.count, 0);
      return { operations: ops.length, requests, ...(counted ? {} : { duplicate: true }) };
    },

    async window(target: string, days: number, thresholdPercent: number): Promise<UsageWindow> {
      const [row] = await db.execute<{
        requests: string | null;
        operations: string;
        from: Date | null;
        to: Date | null;
      }>(sql`
        select sum(count) as requests, count(distinct hash) as operations, min(hour) as "from", max(last_seen) as "to"
        from registry.usage where target = ${target} and hour >= date_trunc('hour', now() - make_interval(days => ${days}))`);
      return {
        days,
        thresholdPercent,
        requests: Number(row?.requests ?? 0),
        operations: Number(row?.operations ?? 0),
        from: row?.from ? new Date(row.from).toISOString() : null,
        to: row?.to ? new Date(row.to).toISOString() : null,
      };
    },

    /**
     * For each coordinate: the operations that used it (or anything under it: `Offer` covers
     * `Offer.price`) within the window, most used first.
     */
    async byCoordinate(target: string, coordinates: string[], days: number): Promise<Map<string, CoordinateUsage>> {
      const result = new Map<string, CoordinateUsage>();
      if (coordinates.length === 0) return result;
      const rows = await db.execute<{
        path: string;
        hash: string;
        name: string | null;
        client: string;
        requests: string;
      }>(sql`
        with recent as (
          select hash, client, sum(count) as requests from registry.usage
          where target = ${target} and hour >= date_trunc('hour', now() - make_interval(days => ${days}))
          group by hash, client
        )
        select p.path, o.hash, o.name, r.client, r.requests
        from jsonb_array_elements_text(${JSON.stringify(coordinates)}::jsonb) as p(path)
        join registry.operations o on o.target = ${target}
          and exists (select 1 from unnest(o.coordinates) c where c = p.path or starts_with(c, p.path || '.'))
        join recent r on r.hash = o.hash
        order by r.requests desc`);
      for (const row of rows) {
        const entry = result.get(row.path) ?? { requests: 0, operations: [] };
        entry.requests += Number(row.requests);
        entry.operations.push({ hash: row.hash, name: row.name, client: row.client, requests: Number(row.requests) });
        result.set(row.path, entry);
      }
      return result;
    },

    /** The most requested operations in the window per client, with when each was last seen. */
    byClient: (target: string, days: number, limit: number) =>
      db.execute<{ hash: string; name: string | null; client: string; requests: string; lastSeen: Date }>(sql`
        select o.hash, o.name, u.client, sum(u.count) as requests, max(u.last_seen) as "lastSeen"
        from registry.usage u join registry.operations o on o.target = u.target and o.hash = u.hash
        where u.target = ${target} and u.hour >= date_trunc('hour', now() - make_interval(days => ${days}))
        group by o.hash, o.name, u.client
        order by requests desc
        limit ${limit}`),

    /** The most requested operations in the window, with their documents: what the plan diff replays. */
    top: (target: string, days: number, limit: number) =>
      db.execute<{ hash: string; name: string | null; document: string; requests: string }>(sql`
        select o.hash, o.name, o.document, sum(u.count) as requests
        from registry.usage u join registry.operations o on o.target = u.target and o.hash = u.hash
        where u.target = ${target} and u.hour >= date_trunc('hour', now() - make_interval(days => ${days}))
        group by o.hash, o.name, o.document
        order by requests desc
        limit ${limit}`),
  };
}

export type Usage = ReturnType<typeof createUsage>;

/**
 * Deletes usage older than the longest usage window of any target (no check reads it any more),
 * and the batch ids as old. One replica at a time: the others skip while one holds the lock.
 * Null when another replica is pruning.
 */
export async function pruneUsage(db: Db): Promise<{ usage: number; batches: number } | null> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.execute<{ locked: boolean }>(
      sql`select pg_try_advisory_xact_lock(hashtext('registry:usage-retention')) as locked`,
    );
    if (!lock?.locked) return null;
    const [horizon] = await tx.execute<{ at: Date }>(sql`
      select date_trunc('hour', now() - make_interval(days => coalesce(max(usage_window_days), 7))) as at
      from registry.targets`);
    const usage = await tx.execute(sql`delete from registry.usage where hour < ${horizon!.at}`);
    const batches = await tx.execute(sql`delete from registry.usage_batches where received_at < ${horizon!.at}`);
    return { usage: usage.count, batches: batches.count };
  });
}
