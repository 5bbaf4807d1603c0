import type { BaseContext } from '../framework';
import type { Database } from '../../kit/db';
import type { tables } from './db/schema';
import type { Sessions } from './sessions';

export interface UsersContext extends BaseContext {
  db: Database<typeof tables>['db'];
  sessions: Sessions;
}
