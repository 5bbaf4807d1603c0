import { asc, eq, isNull, or, sql } from 'drizzle-orm';
import { createHmac, randomBytes } from 'node:crypto';
import type { Database } from '../../../kit/db';
import { dataKeys, users, type tables, type UserRow } from '../db/schema';
import { open, seal, type KeyManagementService } from './master-keys';

type Db = Database<typeof tables>['db'];

/** The personal columns of users.users that are encrypted; the name is the ciphertext's associated data. */
type Column = 'email' | 'name';
const PREFIX = 'v1.';
const REENCRYPT_BATCH = 500;

/**
 * Envelope encryption of the personal fields of users.users (e-mail and name): each value is
 * sealed with AES-256-GCM under a data key, stored as `v1.<data key id>.<iv|tag|ciphertext>`;
 * data keys live in users.data_keys wrapped by a master key of the key management service
 * (master-keys.ts) and are unwrapped once, at start. The e-mail is found by a blind index, an
 * HMAC-SHA256 under a key of its own, so sign-in never needs it in clear.
 *
 * A value without the prefix is a row written before encryption: read as it is, and converted
 * by `reencryptUsers` (run at every start).
 */
export interface FieldCipher {
  readonly currentKeyId: string;
  encrypt(value: string, column: Column): string;
  decrypt(value: string, column: Column): Promise<string>;
  blindIndex(email: string): string;
  /** Whether a stored value is encrypted under the current data key. */
  isCurrent(value: string): boolean;
}

/** Loads (creating on first start) the data keys; re-wraps any wrapped by a retired master key. */
export async function loadFieldCipher(db: Db, kms: KeyManagementService): Promise<FieldCipher> {
  let keys = await unwrapAll(db, kms);
  const reload = async () => {
    keys = await unwrapAll(db, kms);
  };
  const keyOf = (id: string) => keys.fields.get(id);
  return {
    get currentKeyId() {
      return keys.currentId;
    },
    encrypt: (value, column) =>
      `${PREFIX}${keys.currentId}.${seal(keyOf(keys.currentId)!, Buffer.from(value), `users.${column}`)}`,
    async decrypt(value, column) {
      if (!value.startsWith(PREFIX)) return value;
      const [, id, sealed] = value.split('.', 3) as [string, string, string];
      // A key another process created since this one started (a rotation): read the keys again.
      if (!keyOf(id)) await reload();
      const key = keyOf(id);
      if (!key) throw new Error(`data key ${id} is unknown`);
      return open(key, sealed, `users.${column}`).toString();
    },
    blindIndex: (email) => createHmac('sha256', keys.blindIndex).update(email.trim().toLowerCase()).digest('hex'),
    isCurrent: (value) => value.startsWith(`${PREFIX}${keys.currentId}.`),
  };
}

async function unwrapAll(db: Db, kms: KeyManagementService) {
  const rows = await db.transaction(async (tx) => {
    // One creator among replicas starting at once.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('autograph-users-data-keys'))`);
    let rows = await tx.select().from(dataKeys).orderBy(asc(dataKeys.createdAt), asc(dataKeys.id));
    for (const purpose of ['fields', 'blind-index'] as const) {
      if (rows.some((row) => row.purpose === purpose)) continue;
      const { masterKeyId, wrapped } = await kms.wrap(randomBytes(32));
      await tx.insert(dataKeys).values({ id: newKeyId(), purpose, masterKeyId, wrappedKey: wrapped });
    }
    // Master key rotation: every data key ends up wrapped by the current master key.
    for (const row of rows) {
      if (row.masterKeyId === kms.currentKeyId) continue;
      const { masterKeyId, wrapped } = await kms.wrap(await kms.unwrap(row.masterKeyId, row.wrappedKey));
      await tx.update(dataKeys).set({ masterKeyId, wrappedKey: wrapped }).where(eq(dataKeys.id, row.id));
    }
    rows = await tx.select().from(dataKeys).orderBy(asc(dataKeys.createdAt), asc(dataKeys.id));
    return rows;
  });
  const fields = new Map<string, Buffer>();
  let blindIndex: Buffer | undefined;
  let currentId = '';
  for (const row of rows) {
    const key = await kms.unwrap(row.masterKeyId, row.wrappedKey);
    if (row.purpose === 'fields') {
      fields.set(row.id, key);
      currentId = row.id; // ordered oldest first: the newest is current
    } else blindIndex ??= key;
  }
  return { fields, blindIndex: blindIndex!, currentId };
}

const newKeyId = () => randomBytes(6).toString('hex');

/** Data key rotation: a new data key becomes current (every process reads it on its next unknown id). */
export async function rotateDataKey(db: Db, kms: KeyManagementService): Promise<string> {
  const id = newKeyId();
  const { masterKeyId, wrapped } = await kms.wrap(randomBytes(32));
  await db.insert(dataKeys).values({ id, purpose: 'fields', masterKeyId, wrappedKey: wrapped });
  return id;
}

/**
 * Rewrites, in batches, every account whose e-mail or name is in clear (rows from before
 * encryption, the seed's) or under an older data key, and fills its blind index. Returns how
 * many rows it rewrote.
 */
export async function reencryptUsers(db: Db, cipher: FieldCipher): Promise<number> {
  let total = 0;
  for (;;) {
    // Read each round: the current key changes if another process rotated meanwhile.
    const current = `${PREFIX}${cipher.currentKeyId}.%`;
    const rows = await db
      .select({ id: users.id, email: users.email, name: users.name })
      .from(users)
      .where(
        or(sql`${users.email} not like ${current}`, sql`${users.name} not like ${current}`, isNull(users.emailIndex)),
      )
      .limit(REENCRYPT_BATCH);
    if (rows.length === 0) return total;
    const values = await Promise.all(
      rows.map(async (row) => {
        const email = (await cipher.decrypt(row.email, 'email')).toLowerCase();
        const name = await cipher.decrypt(row.name, 'name');
        return sql`(${row.id}::uuid, ${cipher.encrypt(email, 'email')}, ${cipher.blindIndex(email)}, ${cipher.encrypt(name, 'name')})`;
      }),
    );
    await db.execute(sql`
      update ${users} set email = v.email, email_index = v.email_index, name = v.name
      from (values ${sql.join(values, sql`, `)}) as v(id, email, email_index, name)
      where ${users.id} = v.id`);
    total += rows.length;
  }
}

/** An account row with its e-mail and name in clear, for the API and the export. */
export async function decryptUser<Row extends Partial<Pick<UserRow, 'email' | 'name'>>>(
  cipher: FieldCipher,
  row: Row,
): Promise<Row> {
  const clear = { ...row };
  if (row.email !== undefined) clear.email = await cipher.decrypt(row.email, 'email');
  if (row.name !== undefined) clear.name = await cipher.decrypt(row.name, 'name');
  return clear;
}
