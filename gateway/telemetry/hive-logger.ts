import { Logger as HiveLogger, type LogLevel } from '@graphql-hive/gateway';
import type { Logger } from '../../kit/log';

/** Hive's levels for pino's: pino's own level still filters, so `fatal` only has to let errors through. */
function hiveLevel(level: string): LogLevel | false {
  if (level === 'silent') return false;
  if (level === 'fatal') return 'error';
  return level as LogLevel;
}

/**
 * Hive Gateway's logger writing through our pino logger, so the gateway's own lines (supergraph
 * polls, subgraph errors, plugin notices) are the same JSON as ours, with trace ids inside
 * requests (kit/log's mixin). The level follows the pino logger's at each line. Hive's
 * attributes may be an array; pino wants an object, so arrays are nested under `attrs`.
 */
export function hiveLoggerFrom(logger: Logger): HiveLogger {
  const pino = logger.child({ component: 'hive-gateway' });
  return new HiveLogger({
    level: () => hiveLevel(pino.level),
    writers: [
      {
        write(level, attrs, msg) {
          const fields = Array.isArray(attrs) ? { attrs } : (attrs ?? {});
          pino[level](fields, msg ?? undefined);
        },
      },
    ],
  });
}
