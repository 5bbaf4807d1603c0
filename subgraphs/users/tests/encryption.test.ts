import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { connectDatabase } from '../../../kit/db';
import { withEnv } from '../../../tests/support/env';
import { errorCodes, gql } from '../../../tests/support/graphql';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { testSubgraphConfig } from '../../catalog/tests/fixtures';
import { startSubgraph } from '../../framework';
import type { RunningService } from '../../../kit/service';
import users from '..';
import { readIdentityConfig } from '../config';
import { loadFieldCipher, reencryptUsers, rotateDataKey } from '../crypto/field-cipher';
import { envMasterKeys } from '../crypto/master-keys';
import { tables } from '../db/schema';

const PASSWORD = 'long enough password';
const key = () => randomBytes(32).toString('base64');
const K1 = `k1:${key()}`;
const K2 = `k2:${key()}`;
const AUTH = 'accessToken viewer { email user { id name } }';
const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`;
const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { ${AUTH} } }`;

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let sql: postgres.Sql;

beforeAll(async () => {
  database = await createTempDatabase('users_encryption');
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

const start = (masterKeys: string): Promise<RunningService> =>
  withEnv({ USERS_MASTER_KEYS: masterKeys }, () => startSubgraph(users, testSubgraphConfig(database.url)));

async function withUsers<T>(masterKeys: string, use: (url: string) => Promise<T>): Promise<T> {
  const service = await start(masterKeys);
  try {
    return await use(service.url);
  } finally {
    await service.stop();
  }
}

const login = (url: string, email: string) => gql(url, LOGIN, { e: email, p: PASSWORD });
const stored = async (id: string) =>
  (await sql`select email, email_index, name from users.users where id = ${id}`)[0] as {
    email: string;
    email_index: string;
    name: string;
  };

describe('personal fields encrypted at rest', () => {
  let accountId: string;
  const email = `Encrypted-${Date.now()}@Example.com`;

  test('e-mail and name are stored sealed; sign-in goes through the blind index, case-insensitively', async () => {
    await withUsers(K1, async (url) => {
      const registered = await gql(url, REGISTER, {
        input: { email, password: PASSWORD, name: 'Olga Petrova', city: 'Omsk' },
      });
      expect(registered.errors).toBeUndefined();
      accountId = registered.data.register.viewer.user.id;
      const row = await stored(accountId);
      expect(row.email).toStartWith('v1.');
      expect(row.name).toStartWith('v1.');
      expect(row.email.toLowerCase()).not.toContain('encrypted-');
      expect(row.name).not.toContain('Olga');
      expect(row.email_index).toMatch(/^[0-9a-f]{64}$/);

      const signedIn = await login(url, email.toUpperCase());
      expect(signedIn.errors).toBeUndefined();
      expect(signedIn.data.login.viewer).toEqual({
        email: email.toLowerCase(),
        user: { id: accountId, name: 'Olga Petrova' },
      });
      const again = await gql(url, REGISTER, {
        input: { email: email.toLowerCase(), password: PASSWORD, name: 'X', city: 'Y' },
      });
      expect(errorCodes(again)).toEqual(['CONFLICT']);
      const [{ keys }] = await sql`select count(*)::int as keys from users.data_keys where master_key_id = 'k1'`;
      expect(keys).toBe(2); // one data key for the fields, one for the blind index
    });
  });

  test('rows written in clear (before encryption, or by the seed) are converted at start', async () => {
    const id = crypto.randomUUID();
    const hash = await Bun.password.hash(PASSWORD, { algorithm: 'argon2id' });
    await sql`insert into users.users (id, email, password_hash, name, city)
      values (${id}, ${`legacy-${id}@example.com`}, ${hash}, 'Legacy Person', 'Kazan')`;
    await withUsers(K1, async (url) => {
      const row = await stored(id);
      expect(row.email).toStartWith('v1.');
      expect(row.name).toStartWith('v1.');
      expect(row.email_index).not.toBeNull();
      const signedIn = await login(url, `legacy-${id}@example.com`);
      expect(signedIn.data.login.viewer.user.name).toBe('Legacy Person');
    });
  });

  test('master key rotation: data keys re-wrapped at start, the old master key no longer needed', async () => {
    const sealedBefore = await stored(accountId);
    await withUsers(`${K2},${K1}`, async () => {});
    const masters = await sql`select distinct master_key_id from users.data_keys`;
    expect(masters.map((m) => m.master_key_id)).toEqual(['k2']);
    // The data itself is untouched by a master key rotation.
    expect((await stored(accountId)).email).toBe(sealedBefore.email);
    await withUsers(K2, async (url) => {
      expect((await login(url, email)).data.login.viewer.user.name).toBe('Olga Petrova');
    });
    // K1 alone can no longer unwrap anything.
    await expect(start(K1)).rejects.toThrow(/k2/);
  });

  test('data key rotation: every account re-encrypted under the new key; a running replica still reads them', async () => {
    await withUsers(K2, async (url) => {
      const kms = envMasterKeys(K2);
      const db = connectDatabase({ url: database.url, service: 'rotate-test', max: 1 }, tables);
      try {
        const before = await stored(accountId);
        const keyId = await rotateDataKey(db.primary, kms);
        const rewritten = await reencryptUsers(db.primary, await loadFieldCipher(db.primary, kms));
        expect(rewritten).toBe(2);
        const after = await stored(accountId);
        expect(after.email).toStartWith(`v1.${keyId}.`);
        expect(after.name).toStartWith(`v1.${keyId}.`);
        expect(after.email).not.toBe(before.email);
        expect(after.email_index).toBe(before.email_index);
        // This replica started before the rotation: it loads the new key on first sight.
        const signedIn = await login(url, email);
        expect(signedIn.data.login.viewer).toEqual({
          email: email.toLowerCase(),
          user: { id: accountId, name: 'Olga Petrova' },
        });
      } finally {
        await db.close();
      }
    });
  });

  test('a malformed USERS_MASTER_KEYS stops the start naming the variable', () => {
    expect(() => readIdentityConfig({ USERS_MASTER_KEYS: 'k1:tooshort' })).toThrow(/USERS_MASTER_KEYS.*32 bytes/);
    expect(() => readIdentityConfig({ USERS_MASTER_KEYS: `${K1},${K1}` })).toThrow(/listed twice/);
  });
});
