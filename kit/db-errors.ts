/**
 * Whether an error means "the database could not be reached or is going away" rather than "this
 * statement is wrong". Such errors say nothing about the statement: a read may be retried
 * elsewhere, and a client may retry a write later (it was either committed whole or not at all).
 */

/** kit/db-primary-gate.ts's refusal while the primary is known to be unreachable. */
export const PRIMARY_UNREACHABLE = 'PRIMARY_UNREACHABLE';

/** postgres.js and Node socket codes: no connection, or the connection was lost or never made. */
const CONNECTION_CODES = new Set([
  PRIMARY_UNREACHABLE,
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * SQLSTATEs of a server that is shutting down, starting up or refusing sessions: 57P01
 * admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, recovering),
 * 53300 too_many_connections; and class 08, connection exceptions.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Causes followed (drizzle's DrizzleQueryError, GraphQL's originalError) before giving up. */
const MAX_DEPTH = 5;

export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < MAX_DEPTH && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code))) return true;
    if (typeof code === 'string' && /^08[0-9A-Z]{3}$/.test(code)) return true;
    const next = current as { cause?: unknown; originalError?: unknown };
    current = next.originalError ?? next.cause;
  }
  return false;
}

let guarded = false;

/**
 * postgres.js (3.4) on Bun can throw outside any promise when a server drops its connections: a
 * socket's late `error` (ECONNRESET) after the driver removed its listeners, or a queued write on
 * a connection that just closed ("null is not an object (evaluating 'socket.write')"). Uncaught,
 * either would end the process although the pool recovers by itself once the database is back.
 * This keeps the process up for exactly those (logged), and ends it as before for anything else.
 * Installed once per process.
 */
export function surviveDriverConnectionLoss(log: {
  warn(o: object, m: string): void;
  fatal(o: object, m: string): void;
}) {
  if (guarded) return;
  guarded = true;
  process.on('uncaughtException', (error) => {
    if (isDriverConnectionLoss(error)) {
      log.warn({ err: error.message }, 'database connection lost outside a query; the pool reconnects');
      return;
    }
    log.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
}

function isDriverConnectionLoss(error: Error): boolean {
  // The driver's file, wherever it is installed (node_modules/postgres/, Bun's cache postgres@x.y.z/).
  if (/postgres[^/]*\/src\/connection\.js/.test(error.stack ?? '')) return true;
  const socket = error as Error & { code?: unknown; syscall?: unknown };
  return ['connect', 'read', 'write'].includes(String(socket.syscall)) && isDatabaseUnavailable(error);
}
