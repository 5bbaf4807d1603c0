import type { BaseContext, Database } from '../kit';
import type { tables } from './db/schema';

export interface SearchContext extends BaseContext {
  db: Database<typeof tables>['db'];
}
