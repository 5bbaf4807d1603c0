import { z } from 'zod';
import { parseConfig } from '../../kit/config';
import { envMasterKeys } from './crypto/master-keys';

/** Failed sign-ins in a row that lock an account's sign-in. */
export const DEFAULT_LOGIN_MAX_FAILURES = 5;
/** The first lock; each further failure after a lock doubles it. */
export const DEFAULT_LOGIN_LOCK_SECONDS = 30;
/** The longest lock. */
export const DEFAULT_LOGIN_LOCK_MAX_SECONDS = 3_600;

/** Identity settings, on top of the framework's subgraph configuration (framework/subgraph-config.ts). */
const identityConfigSchema = z
  .object({
    JWT_ACCESS_TTL: z.coerce.number().int().min(1).max(86_400).default(900),
    JWT_REFRESH_TTL: z.coerce
      .number()
      .int()
      .min(60)
      .default(30 * 24 * 3600),
    JWT_PRIVATE_KEY: z.string().includes('PRIVATE KEY', { message: 'must be a PKCS#8 PEM private key' }).optional(),
    JWT_KEY_ID: z.string().min(1).default('env-key'),
    /** Master keys of the personal fields' data keys: `id:base64,...`, the first current (crypto/master-keys.ts). */
    USERS_MASTER_KEYS: z
      .string()
      .optional()
      .superRefine((spec, ctx) => {
        if (spec === undefined) return;
        try {
          envMasterKeys(spec);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(DEFAULT_LOGIN_MAX_FAILURES),
    LOGIN_LOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(DEFAULT_LOGIN_LOCK_SECONDS),
    LOGIN_LOCK_MAX_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .default(DEFAULT_LOGIN_LOCK_MAX_SECONDS),
  })
  .superRefine((raw, ctx) => {
    if (raw.LOGIN_LOCK_MAX_SECONDS < raw.LOGIN_LOCK_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['LOGIN_LOCK_MAX_SECONDS'],
        message: `must be at least LOGIN_LOCK_SECONDS (${raw.LOGIN_LOCK_SECONDS})`,
      });
    }
  })
  .transform((raw) => ({
    accessTtlSeconds: raw.JWT_ACCESS_TTL,
    refreshTtlSeconds: raw.JWT_REFRESH_TTL,
    privateKeyPem: raw.JWT_PRIVATE_KEY?.replace(/\\n/g, '\n'),
    keyId: raw.JWT_KEY_ID,
    /** Unset: the development master key (users/index.ts warns). */
    masterKeys: raw.USERS_MASTER_KEYS,
    loginThrottle: {
      maxFailures: raw.LOGIN_MAX_FAILURES,
      lockSeconds: raw.LOGIN_LOCK_SECONDS,
      maxLockSeconds: raw.LOGIN_LOCK_MAX_SECONDS,
    },
  }));

export type IdentityConfig = z.infer<typeof identityConfigSchema>;

export const readIdentityConfig = (env: Record<string, string | undefined> = process.env) =>
  parseConfig(identityConfigSchema, env);
