import { and, eq, ne } from 'drizzle-orm';
import { auditLog as auditLogOf } from '../framework';
import type { BaseContext, ErasureTask } from '../framework';
import type { Database } from '../../kit/db';
import { recordOfferChange } from './outbox/store';
import type { OffersContext } from './context';
import { auditLog, offers, type OfferRow, type tables } from './db/schema';
import { listedColumns } from './rows';

/** The offers subgraph's audit log (offers.audit_log). */
export const audit = auditLogOf(auditLog);

type Tx = Parameters<Parameters<OffersContext['db']['transaction']>[0]>[0];

/** Records a seller's price change or withdrawal (ARCHIVED) in the transaction of the change. */
export async function auditOfferChange(tx: Tx, ctx: BaseContext, before: OfferRow, after: OfferRow) {
  if (before.price !== after.price)
    await audit.record(tx, ctx, {
      action: 'offer.price_changed',
      target: after.id,
      details: { from: before.price, to: after.price, currency: after.currency },
    });
  if (before.status !== after.status && after.status === 'ARCHIVED')
    await audit.record(tx, ctx, { action: 'offer.withdrawn', target: after.id, details: { from: before.status } });
}

/** The account's offers, every status, as the API shows them (idempotency keys are not personal data). */
export async function exportOffers(ctx: OffersContext, userId: string) {
  const rows = await ctx.db.select(listedColumns).from(offers).where(eq(offers.sellerId, userId));
  return { offers: rows.map(({ cursorAt: _cursor, ...offer }) => offer) };
}

/**
 * An erased account's offers are withdrawn (ARCHIVED), each with its event, so search drops
 * them through the usual path as well. Applying it again finds nothing left to withdraw.
 */
export async function eraseSeller(db: Database<typeof tables>['db'], task: ErasureTask): Promise<number> {
  return db.transaction(async (tx) => {
    const withdrawn = await tx
      .update(offers)
      .set({ status: 'ARCHIVED', updatedAt: new Date() })
      .where(and(eq(offers.sellerId, task.userId), ne(offers.status, 'ARCHIVED')))
      .returning();
    for (const offer of withdrawn) await recordOfferChange(tx, offer);
    await audit.recordErasure(tx, task, { offersWithdrawn: withdrawn.length });
    return withdrawn.length;
  });
}
