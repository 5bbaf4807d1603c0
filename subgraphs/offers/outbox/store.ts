import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../../../kit/db';
import type { OfferEvent } from '../events';
import { offerEvents, type OfferRow, type tables } from '../db/schema';

type OffersDb = Database<typeof tables>['db'];
/** The transaction a change runs in: its event is written there too. */
export type OffersTransaction = Parameters<Parameters<OffersDb['transaction']>[0]>[0];

export interface ClaimedEvent {
  id: number;
  event: OfferEvent;
}

/** The event search receives for a changed offer: the whole row as it is after the change. */
export function offerChanged(row: OfferRow): OfferEvent {
  return {
    type: 'offer.changed',
    offer: {
      id: row.id,
      sellerId: row.sellerId,
      modelId: row.modelId,
      makeId: row.makeId,
      title: row.title,
      price: row.price,
      currency: row.currency,
      year: row.year,
      mileageKm: row.mileageKm,
      city: row.city,
      status: row.status,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    },
  };
}

/** Writes the offer's event in the transaction that changed it: both commit, or neither. */
export async function recordOfferChange(tx: OffersTransaction, row: OfferRow): Promise<void> {
  await tx.insert(offerEvents).values({ offerId: row.id, payload: offerChanged(row) });
}

/**
 * The relay's SQL. Every statement is a single statement (no transaction held while events travel):
 * the embedded PGlite serves one session, and a transaction open during a slow hand-over would hold
 * every other client. A claim is a lease instead: rows stay claimed for `leaseMs`, then any relay
 * may take them again (a relay that died mid-way loses nothing).
 */
export function outboxStore(db: OffersDb) {
  return {
    /**
     * Leases up to `limit` pending rows, oldest first. SKIP LOCKED: relays in several replicas take
     * different rows without waiting for each other. Per offer, only its oldest pending row is
     * taken, and only when no earlier row of that offer is still pending (claimed or not): each
     * offer's events leave in the order they were written, whichever relay sends them.
     */
    async claim(limit: number, leaseMs: number): Promise<ClaimedEvent[]> {
      const rows = await db.execute<{ id: string; payload: OfferEvent }>(sql`
        update offers.offer_events
        set claimed_until = now() + ${leaseMs} * interval '1 millisecond', attempts = attempts + 1
        where id in (
          select e.id from offers.offer_events e
          where e.sent_at is null
            and (e.claimed_until is null or e.claimed_until < now())
            and not exists (
              select 1 from offers.offer_events earlier
              where earlier.offer_id = e.offer_id and earlier.sent_at is null and earlier.id < e.id)
          order by e.id
          limit ${limit}
          for update skip locked)
        returning id, payload`);
      return rows.map((row) => ({ id: Number(row.id), event: row.payload })).sort((a, b) => a.id - b.id);
    },
    async markSent(ids: number[]) {
      if (!ids.length) return;
      await db
        .update(offerEvents)
        .set({ sentAt: sql`now()`, claimedUntil: null, lastError: null })
        .where(inArray(offerEvents.id, ids));
    },
    /** Gives rows back at once after a failed hand-over, noting why. */
    async release(ids: number[], reason: string) {
      if (!ids.length) return;
      await db
        .update(offerEvents)
        .set({ claimedUntil: null, lastError: reason.slice(0, 500) })
        .where(inArray(offerEvents.id, ids));
    },
    /** Pending rows and the age of the oldest, in seconds (0 when none). */
    async backlog(): Promise<{ pending: number; oldestSeconds: number }> {
      const [row] = await db.execute<{ pending: number; oldest: number | null }>(sql`
        select count(*)::int as pending, extract(epoch from now() - min(created_at))::float8 as oldest
        from offers.offer_events where sent_at is null`);
      return { pending: row?.pending ?? 0, oldestSeconds: Math.max(0, row?.oldest ?? 0) };
    },
    /** Deletes up to `limit` rows sent more than `retentionMs` ago; returns how many. */
    async prune(retentionMs: number, limit: number): Promise<number> {
      const rows = await db.execute(sql`
        delete from offers.offer_events where id in (
          select id from offers.offer_events
          where sent_at < now() - ${retentionMs} * interval '1 millisecond'
          limit ${limit})
        returning id`);
      return rows.length;
    },
  };
}

export type OutboxStore = ReturnType<typeof outboxStore>;
