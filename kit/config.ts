import { isIP } from 'node:net';
import { z } from 'zod';
import { parseHostAllowList } from './host-allow-list';

/**
 * Reads configuration from environment variables through a zod schema.
 * A wrong value stops the process with a message naming the variable, so
 * misconfiguration fails at start rather than at the first request.
 */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const value = env[name];
      const shown = value === undefined ? 'unset' : JSON.stringify(value);
      return `${name} (${shown}): ${issue.message}`;
    }),
  );
}

/** Common validators for environment variables. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: () => z.url({ protocol: /^https?$/ }),
  postgresUrl: () => z.string().regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL'),
  redisUrl: () => z.string().regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL'),
  logLevel: () => z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /** A whole number of at least `min`, with messages that say so. */
  wholeNumber: (min: number, fallback: number) =>
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  /** `NODE_ENV`: `production` switches unsafe defaults off (see `productionSecretProblem`). */
  nodeEnv: () => z.enum(['production', 'development', 'test']).default('development'),
  /**
   * `HOST`: the address a service listens on. Loopback unless told otherwise, so a service started
   * on a laptop or a shared host is not reachable from the network by accident.
   */
  host: () =>
    z
      .string()
      .refine(
        (value) => isIP(value) !== 0 || HOST_NAME.test(value),
        'must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::) or a host name',
      )
      .default(DEFAULT_HOST),
  /**
   * Hosts that URLs chosen by callers may point at, in kit/host-allow-list.ts's syntax; read the
   * value with `allowedHosts(value, fallback)`. Unset or empty: the caller's fallback.
   */
  hostAllowList: () =>
    z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        const parsed = value?.trim() ? parseHostAllowList(value) : null;
        if (parsed && 'problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
      }),
};

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;
/** Where services listen when HOST is unset. */
export const DEFAULT_HOST = '127.0.0.1';

/** Values that ship as development defaults; production refuses them as secrets. */
const DEVELOPMENT_SECRETS: readonly string[] = ['dev-internal-token'];
/** The shortest secret production accepts (32 characters: 24 random bytes in base64url). */
const MIN_PRODUCTION_SECRET_LENGTH = 32;

/**
 * Why `value` may not serve as a secret in production, or null when it may: set (when `required`),
 * at least 32 characters, and not a development default. Services and the launcher check their
 * secrets with it when NODE_ENV=production, naming the variable in the issue.
 */
export function productionSecretProblem(value: string | undefined, required: boolean): string | null {
  if (value === undefined || value === '') return required ? 'must be set when NODE_ENV=production' : null;
  if (DEVELOPMENT_SECRETS.includes(value))
    return 'is the development default; set a secret of your own when NODE_ENV=production';
  if (value.length < MIN_PRODUCTION_SECRET_LENGTH)
    return `must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters when NODE_ENV=production`;
  return null;
}

/** Runs `parseConfig`, printing the problem and exiting with status 78 (EX_CONFIG) on failure. */
export function loadConfigOrExit<S extends z.ZodType>(name: string, schema: S): z.infer<S> {
  try {
    return parseConfig(schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`[${name}] ${error.message}`);
      process.exit(78);
    }
    throw error;
  }
}
