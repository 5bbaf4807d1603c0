import type { BaseContext } from '../framework';
import type { CatalogClient } from '../catalog/client';
import type { Database } from '../../kit/db';
import type { tables } from './db/schema';

export interface ReviewsContext extends BaseContext {
  db: Database<typeof tables>['db'];
  /** Asked whether a model exists before it is reviewed. */
  catalog: CatalogClient;
}
