import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * What the users subgraph needs from a key management service: wrap (encrypt) a data key under
 * the current master key, and unwrap one under the master key it was wrapped with. Shaped like
 * AWS KMS Encrypt/Decrypt or Vault transit, so a client of one can replace `envMasterKeys`
 * without touching the callers; the master keys themselves never leave it.
 */
export interface KeyManagementService {
  /** The master key new data keys are wrapped with. */
  readonly currentKeyId: string;
  wrap(dataKey: Buffer): Promise<{ masterKeyId: string; wrapped: string }>;
  unwrap(masterKeyId: string, wrapped: string): Promise<Buffer>;
  /** Whether this master key can still unwrap (false: it was retired from the configuration). */
  knows(masterKeyId: string): boolean;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM: `iv | tag | ciphertext`, base64url. The associated data binds a ciphertext to its use. */
export function seal(key: Buffer, plaintext: Buffer, associated: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associated));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function open(key: Buffer, sealed: string, associated: string): Buffer {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associated));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** Used when USERS_MASTER_KEYS is unset (development only: the start-up logs a warning). */
export const DEVELOPMENT_MASTER_KEYS = `dev:${createHash('sha256').update('autograph-development-master-key').digest('base64')}`;

/**
 * Master keys from the environment (USERS_MASTER_KEYS): `id:base64,id:base64`, 32 random bytes
 * each (`openssl rand -base64 32`), the first one current. Rotation: put the new key first and
 * keep the old ones until the users subgraph has started once (it re-wraps every data key with
 * the current master key at start), then remove them.
 */
export function envMasterKeys(spec: string): KeyManagementService {
  const keys = new Map<string, Buffer>();
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [id, encoded] = entry.split(':', 2);
    if (!id || !/^[\w-]{1,32}$/.test(id) || !encoded)
      throw new Error('each entry must be <id>:<base64 key>, the id 1-32 of A-Z a-z 0-9 _ -');
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`key "${id}" must be ${KEY_BYTES} bytes (openssl rand -base64 32)`);
    if (keys.has(id)) throw new Error(`key "${id}" is listed twice`);
    keys.set(id, key);
  }
  const currentKeyId = keys.keys().next().value;
  if (!currentKeyId) throw new Error('must list at least one key');
  const keyOf = (id: string) => {
    const key = keys.get(id);
    if (!key) throw new Error(`master key "${id}" is not configured (USERS_MASTER_KEYS)`);
    return key;
  };
  return {
    currentKeyId,
    wrap: async (dataKey) => ({
      masterKeyId: currentKeyId,
      wrapped: seal(keyOf(currentKeyId), dataKey, `data-key:${currentKeyId}`),
    }),
    unwrap: async (masterKeyId, wrapped) => open(keyOf(masterKeyId), wrapped, `data-key:${masterKeyId}`),
    knows: (masterKeyId) => keys.has(masterKeyId),
  };
}
