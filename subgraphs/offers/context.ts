import type { BaseContext, CatalogClient, Database, OfferEventPublisher } from '../kit';
import type { tables } from './db/schema';

export interface OffersContext extends BaseContext {
  db: Database<typeof tables>['db'];
  catalog: CatalogClient;
  events: OfferEventPublisher;
}
