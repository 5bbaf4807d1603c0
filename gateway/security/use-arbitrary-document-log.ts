import type { GatewayPlugin } from '@graphql-hive/gateway';
import { createLRUCache } from 'graphql-yoga';
import { createHash } from 'node:crypto';
import type { Logger } from '../../kit/log';
import type { GatewayMetrics } from '../metrics';

/** Distinct documents remembered as already logged, per process. */
export const DEFAULT_LOGGED_DOCUMENTS = 1_000;

const CLIENT_HEADERS = ['graphql-client-name', 'apollographql-client-name', 'x-graphql-client-name'];
/** The first operation's name, without parsing the document again. */
const OPERATION_NAME = /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

/**
 * The migration mode of trusted documents: query text is still served, but counted and logged so
 * teams can find the clients that do not send document ids yet. `allow` is given to Hive
 * Gateway's `persistedDocuments.allowArbitraryDocuments` (called only for query text, never for an
 * id) and marks the request; the plugin then logs the document, once per distinct document per
 * process so a busy client does not flood the log.
 */
export function useArbitraryDocumentLog(options: { logger: Logger; metrics: GatewayMetrics; remember?: number }) {
  const arbitrary = options.metrics.counter({
    name: 'autograph_gateway_arbitrary_documents_total',
    help: 'Operations sent as query text rather than a trusted-document id, while TRUSTED_DOCUMENTS=allow-arbitrary-with-log.',
  });
  const marked = new WeakSet<Request>();
  const logged = createLRUCache<true>({ max: options.remember ?? DEFAULT_LOGGED_DOCUMENTS, ttl: 0 });

  const plugin: GatewayPlugin = {
    onParams({ request, params }) {
      if (!marked.delete(request) || typeof params.query !== 'string') return;
      const documentHash = createHash('sha256').update(params.query).digest('hex');
      if (logged.has(documentHash)) return;
      logged.set(documentHash, true);
      const client = CLIENT_HEADERS.map((header) => request.headers.get(header)).find(Boolean) ?? 'unknown';
      const operationName = params.operationName ?? OPERATION_NAME.exec(params.query)?.[1] ?? null;
      options.logger.warn(
        { documentHash, operationName, client: client.slice(0, 100) },
        'operation sent as query text, not a trusted document id',
      );
    },
  };

  return {
    allow(request: Request): boolean {
      arbitrary.inc();
      marked.add(request);
      return true;
    },
    plugin,
  };
}
