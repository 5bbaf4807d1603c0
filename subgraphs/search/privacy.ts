import { eq, getTableColumns } from 'drizzle-orm';
import { auditLog as auditLogOf, type ErasureTask } from '../framework';
import type { Database } from '../../kit/db';
import type { SearchContext } from './context';
import { auditLog, offerDocuments, type tables } from './db/schema';

/** The search subgraph's audit log (search.audit_log). */
export const audit = auditLogOf(auditLog);

const { document: _document, ...documentColumns } = getTableColumns(offerDocuments);

/** The documents indexed from the account's offers (the text vector left out: it is derived). */
export async function exportSearchDocuments(ctx: SearchContext, userId: string) {
  return {
    searchDocuments: await ctx.db
      .select(documentColumns)
      .from(offerDocuments)
      .where(eq(offerDocuments.sellerId, userId)),
  };
}

/** The documents of an erased account's offers go at once (the withdrawals' events would remove them too). */
export async function eraseSellerDocuments(db: Database<typeof tables>['db'], task: ErasureTask): Promise<void> {
  await db.transaction(async (tx) => {
    const removed = await tx
      .delete(offerDocuments)
      .where(eq(offerDocuments.sellerId, task.userId))
      .returning({ id: offerDocuments.offerId });
    await audit.recordErasure(tx, task, { documentsRemoved: removed.length });
  });
}
