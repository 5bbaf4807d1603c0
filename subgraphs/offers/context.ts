import type { BaseContext } from '../framework';
import type { CatalogClient } from '../catalog/client';
import type { Database } from '../../kit/db';
import type { OfferEventPublisher } from './events';
import type { tables } from './db/schema';

export interface OffersContext extends BaseContext {
  db: Database<typeof tables>['db'];
  catalog: CatalogClient;
  events: OfferEventPublisher;
}
