import { z } from 'zod';
import { parseConfig } from '../../kit/config';

/** Identity settings, on top of the framework's subgraph configuration (framework/subgraph-config.ts). */
const identityConfigSchema = z
  .object({
    JWT_ACCESS_TTL: z.coerce.number().int().min(1).max(86_400).default(900),
    JWT_REFRESH_TTL: z.coerce.number().int().min(60).default(30 * 24 * 3600),
    JWT_PRIVATE_KEY: z.string().includes('PRIVATE KEY', { message: 'must be a PKCS#8 PEM private key' }).optional(),
    JWT_KEY_ID: z.string().min(1).default('env-key'),
  })
  .transform((raw) => ({
    accessTtlSeconds: raw.JWT_ACCESS_TTL,
    refreshTtlSeconds: raw.JWT_REFRESH_TTL,
    privateKeyPem: raw.JWT_PRIVATE_KEY?.replace(/\\n/g, '\n'),
    keyId: raw.JWT_KEY_ID,
  }));

export type IdentityConfig = z.infer<typeof identityConfigSchema>;

export const readIdentityConfig = (env: Record<string, string | undefined> = process.env) => parseConfig(identityConfigSchema, env);
