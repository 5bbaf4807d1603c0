import pino from 'pino';

/** Structured JSON logs; LOG_LEVEL controls verbosity, LOG_PRETTY is not supported on purpose (pipe to pino-pretty). */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info') {
  return pino({ name: service, level, base: { service } });
}

export type Logger = ReturnType<typeof createLogger>;
