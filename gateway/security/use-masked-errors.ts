import type { GatewayConfig, GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';
import type { Logger } from '../../kit/log';
import { REQUEST_ID_HEADER } from './http';

export const MASKED_ERROR_MESSAGE = 'Unexpected error.';
/** The code Hive Gateway gives a subgraph error that came without one (`subgraphErrors` option). */
const UNCODED_SUBGRAPH_ERROR = 'DOWNSTREAM_SERVICE_ERROR';

type MaskedErrorsOptions = Exclude<NonNullable<GatewayConfig<Record<string, any>>['maskedErrors']>, boolean>;
type ResultErrors = { errors?: readonly GraphQLError[] };

/**
 * No stack trace or internal message reaches a client:
 * - anything thrown in the gateway that is not a deliberate GraphQLError (a bug, a library's
 *   plain Error) becomes "Unexpected error." with code INTERNAL_SERVER_ERROR, whatever NODE_ENV
 *   says (Yoga would attach the original error in development);
 * - a subgraph error without a code is treated the same way: our subgraphs code every error they
 *   mean clients to see, so an uncoded one is a leak (a driver message, a host name).
 * These errors, and the ones subgraphs masked themselves, carry `extensions.requestId` — the id
 * Hive Gateway also returns in the `x-request-id` header and sends on to subgraphs — and the real
 * error is logged with the same id, so a client's report leads straight to the log line.
 *
 * `maskedErrors` is for Hive Gateway's option of that name; `plugin` does the rest.
 */
export interface MaskedErrorsPluginOptions {
  logger: Logger;
  message?: string;
  /** Plain errors from libraries that mean something to clients: the error to show instead of masking. */
  translate?: (error: unknown) => GraphQLError | undefined;
}

export function useMaskedErrors(options: MaskedErrorsPluginOptions) {
  const message = options.message ?? MASKED_ERROR_MESSAGE;
  const originals = new WeakMap<GraphQLError, unknown>();

  const maskedErrors: MaskedErrorsOptions = {
    isDev: false,
    errorMessage: message,
    maskError(error, errorMessage) {
      if (isDeliberate(error)) return error as Error;
      const translated = options.translate?.(error instanceof GraphQLError ? (error.originalError ?? error) : error);
      if (translated) return translated;
      const source = error instanceof GraphQLError ? error : undefined;
      const masked = new GraphQLError(errorMessage, {
        nodes: source?.nodes,
        path: source?.path,
        // `unexpected` (Yoga's own marker, never serialised) makes a request with no data HTTP 500,
        // as stock Hive Gateway answers an internal failure (a planner error, for one).
        extensions: {
          code: 'INTERNAL_SERVER_ERROR',
          unexpected: true,
          ...(source?.extensions?.http ? { http: source.extensions.http } : {}),
        },
      });
      originals.set(masked, source?.originalError ?? error);
      return masked;
    },
  };

  function correlate(error: GraphQLError, requestId: string): GraphQLError {
    const code = error.extensions?.code;
    if (code === UNCODED_SUBGRAPH_ERROR) {
      const serviceName = error.extensions.serviceName;
      options.logger.error(
        { requestId, serviceName, path: error.path, subgraphMessage: error.message },
        'subgraph error without a code, masked for the client',
      );
      return new GraphQLError(message, {
        nodes: error.nodes,
        path: error.path,
        extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName, requestId },
      });
    }
    if (code !== 'INTERNAL_SERVER_ERROR') return error;
    const original = originals.get(error);
    if (original !== undefined)
      options.logger.error({ requestId, err: original, path: error.path }, 'unexpected error, masked for the client');
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      path: error.path,
      originalError: error.originalError,
      extensions: { ...error.extensions, requestId },
    });
  }

  const plugin: GatewayPlugin = {
    onResultProcess({ request, result, setResult, serverContext }) {
      if (!result || Symbol.asyncIterator in result) return;
      const results = (Array.isArray(result) ? result : [result]) as ResultErrors[];
      if (!results.some((single) => single.errors?.some(needsCorrelation))) return;
      // Hive Gateway's requestId plugin binds the id to the request's logger; a client-sent header is the fallback.
      const requestId = String(
        (serverContext as { log?: { attrs?: { requestId?: unknown } } }).log?.attrs?.requestId ??
          request.headers.get(REQUEST_ID_HEADER) ??
          'unknown',
      );
      const corrected = results.map((single) =>
        single.errors?.some(needsCorrelation)
          ? { ...single, errors: single.errors.map((error) => correlate(error, requestId)) }
          : single,
      );
      setResult((Array.isArray(result) ? corrected : corrected[0]) as typeof result);
    },
  };

  return { maskedErrors, plugin };
}

/** A GraphQLError thrown on purpose, all the way down (not one wrapping an unexpected error). */
function isDeliberate(error: unknown): boolean {
  return error instanceof GraphQLError && (error.originalError == null || isDeliberate(error.originalError));
}

const needsCorrelation = (error: GraphQLError) =>
  error.extensions?.code === 'INTERNAL_SERVER_ERROR' || error.extensions?.code === UNCODED_SUBGRAPH_ERROR;
