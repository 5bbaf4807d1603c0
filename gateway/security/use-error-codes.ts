import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';

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
 * Errors are part of the API: every error a client gets carries `extensions.code`. Plugins that
 * reject a whole request (JWT verification, for one) only set an HTTP status; this adds the code
 * that status stands for. Errors that already have a code are left alone.
 */
export function useErrorCodes(): GatewayPlugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !result || typeof result !== 'object' || !('errors' in result) || !result.errors)
        return;
      let changed = false;
      const errors = result.errors.map((error) => {
        const extensions = (error.extensions ?? {}) as Record<string, any>;
        const code = extensions.code ?? CODES_BY_STATUS[extensions.http?.status as number];
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
