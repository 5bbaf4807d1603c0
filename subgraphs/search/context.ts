import type { BaseContext } from '../framework';
import type { Database } from '../../kit/db';
import type { tables } from './db/schema';

export interface SearchContext extends BaseContext {
  db: Database<typeof tables>['db'];
}
