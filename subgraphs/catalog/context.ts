import type { BaseContext, Database } from '../kit';
import type { tables } from './db/schema';

export interface CatalogContext extends BaseContext {
  db: Database<typeof tables>['db'];
}
