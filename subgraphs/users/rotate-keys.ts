/**
 * Data key rotation of the personal fields: `bun subgraphs/users/rotate-keys.ts`. Creates a new
 * data key (wrapped by the current master key of USERS_MASTER_KEYS), makes it current and
 * re-encrypts every account under it. Running replicas read the new key on the first value
 * under it they meet, and encrypt under it from their next start. Reads DATABASE_URL (or
 * USERS_DATABASE_URL) and USERS_MASTER_KEYS. Master key rotation needs no command: see
 * crypto/master-keys.ts.
 */
import { connectDatabase } from '../../kit/db';
import { loadSubgraphConfig } from '../framework';
import { readIdentityConfig } from './config';
import { loadFieldCipher, reencryptUsers, rotateDataKey } from './crypto/field-cipher';
import { DEVELOPMENT_MASTER_KEYS, envMasterKeys } from './crypto/master-keys';
import { tables } from './db/schema';

const config = loadSubgraphConfig('users');
const kms = envMasterKeys(readIdentityConfig().masterKeys ?? DEVELOPMENT_MASTER_KEYS);
const database = connectDatabase({ url: config.databaseUrl, service: 'users-rotate-keys', max: 2 }, tables);
const started = Date.now();
try {
  const keyId = await rotateDataKey(database.primary, kms);
  const fields = await loadFieldCipher(database.primary, kms);
  const rewritten = await reencryptUsers(database.primary, fields);
  console.log(`data key ${keyId} is current; ${rewritten} accounts re-encrypted in ${Date.now() - started} ms`);
} catch (error) {
  console.error(`key rotation failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
