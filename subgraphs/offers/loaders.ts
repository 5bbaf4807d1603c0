import { byKey, defineLoader, definePreparedQuery, uuidIn } from '../framework';
import type { OffersContext } from './context';
import { offers } from './db/schema';

const offersByIds = definePreparedQuery('offers.byIds', (db: OffersContext['db']) =>
  db.select().from(offers).where(uuidIn(offers.id, 'ids')),
);

export const offerById = defineLoader(async (ids: readonly string[], ctx: OffersContext) =>
  byKey(ids, await offersByIds(ctx.db, '', { ids }), (row) => row.id),
);
