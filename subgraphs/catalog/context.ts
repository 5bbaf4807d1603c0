import type { BaseContext } from '../framework';
import type { Database } from '../../kit/db';
import type { ReferenceCache } from './cache';
import type { tables } from './db/schema';

export interface CatalogContext extends BaseContext {
  db: Database<typeof tables>['db'];
  /** Makes and models shared by every replica through Redis; a no-op without REDIS_URL. */
  cache: ReferenceCache;
}
