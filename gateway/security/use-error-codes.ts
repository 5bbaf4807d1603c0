import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';
import type { Counter } from 'prom-client';
import type { GatewayMetrics } from '../metrics';

/** HTTP statuses that request-level errors (JWT, parsing, limits) carry, as stable API codes. */
export const CODES_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  504: 'GATEWAY_TIMEOUT',
};

/**
 * Codes are set by the gateway and the subgraphs, not by clients, yet a label value is a series
 * kept for the life of the process: past this many distinct codes the rest count as OTHER_CODES.
 */
export const MAX_COUNTED_ERROR_CODES = 50;
export const OTHER_CODES = '(other)';
/** The label of an error that still has no code (none of its own, no HTTP status we know). */
export const NO_CODE = '(none)';

export interface ErrorCodesOptions {
  /** Counts the errors clients receive by code (`autograph_gateway_graphql_errors_total`); none: not counted. */
  metrics?: GatewayMetrics;
}

/**
 * Errors are part of the API: every error a client gets carries `extensions.code`. Plugins that
 * reject a whole request (JWT verification, for one) only set an HTTP status; this adds the code
 * that status stands for. Errors that already have a code are left alone. Each error is counted
 * by the code it leaves with: the dashboards' "errors by code", which HTTP statuses cannot tell
 * (a failed field answers 200).
 */
export function useErrorCodes(options: ErrorCodesOptions = {}): GatewayPlugin {
  const counter = options.metrics?.counter({
    name: 'autograph_gateway_graphql_errors_total',
    help: 'GraphQL errors sent to clients, by extensions.code (responses answered from the cache not included)',
    labelNames: ['code'],
  });
  const byCode = new Map<string, Counter.Internal>();
  let other: Counter.Internal | undefined;
  const count = (code: string) => {
    if (!counter) return;
    let child = byCode.get(code);
    if (!child) {
      if (byCode.size >= MAX_COUNTED_ERROR_CODES) child = other ??= counter.labels({ code: OTHER_CODES });
      else byCode.set(code, (child = counter.labels({ code })));
    }
    child.inc();
  };
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !result || typeof result !== 'object' || !('errors' in result) || !result.errors)
        return;
      let changed = false;
      const errors = result.errors.map((error) => {
        const extensions = (error.extensions ?? {}) as Record<string, any>;
        const code = extensions.code ?? CODES_BY_STATUS[extensions.http?.status as number];
        count(typeof code === 'string' ? code : NO_CODE);
        if (extensions.code || !code) return error;
        changed = true;
        return new GraphQLError(error.message, {
          nodes: error.nodes,
          path: error.path,
          originalError: error.originalError,
          extensions: { ...extensions, code },
        });
      });
      if (changed) setResult({ ...result, errors });
    },
  };
}
