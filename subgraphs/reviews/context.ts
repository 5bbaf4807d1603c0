import type { BaseContext, CatalogClient, Database } from '../kit';
import type { tables } from './db/schema';

export interface ReviewsContext extends BaseContext {
  db: Database<typeof tables>['db'];
  /** Asked whether a model exists before it is reviewed. */
  catalog: CatalogClient;
}
