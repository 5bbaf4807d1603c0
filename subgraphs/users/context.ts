import type { BaseContext } from '../framework';
import type { Database } from '../../kit/db';
import type { tables } from './db/schema';
import type { Sessions } from './sessions';
import type { FieldCipher } from './crypto/field-cipher';

export interface UsersContext extends BaseContext {
  db: Database<typeof tables>['db'];
  sessions: Sessions;
  /** Encrypts and decrypts the personal fields (crypto/field-cipher.ts). */
  fields: FieldCipher;
}
