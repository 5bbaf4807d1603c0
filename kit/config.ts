import { z } from 'zod';

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
  postgresUrl: () =>
    z.string().regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL'),
  redisUrl: () => z.string().regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL'),
  logLevel: () => z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
};

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
