import type { GatewayPlugin } from '@graphql-hive/gateway';
import { collectSchemaCoordinates } from '@graphql-hive/core';
import { getOperationAST, parse, print, TypeInfo, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '../../kit/log';
import type { RegistryClient } from '../../schema-registry/client';
import type { UsageReport } from '../../schema-registry/usage';

export interface UsageReportingOptions {
  /** The registry client of the target whose checks this traffic informs, with a usage (or stronger) token. */
  registry: Pick<RegistryClient, 'reportUsage'>;
  /** Share of operations recorded, 0..1; each recorded one counts as 1 / sampleRate requests. */
  sampleRate: number;
  flushIntervalMs: number;
  /** Distinct operations buffered before an early flush. */
  maxOperations?: number;
  /** Document texts (and persisted ids) whose description is kept for requests that skip execution. */
  maxDocuments?: number;
  /** How long one report may take; default DEFAULT_USAGE_REPORT_TIMEOUT_MS. */
  timeoutMs?: number;
  logger: Logger;
}

export const DEFAULT_MAX_OPERATIONS = 1_000;
export const DEFAULT_MAX_DOCUMENTS = 2_000;
export const DEFAULT_USAGE_REPORT_TIMEOUT_MS = 10_000;

/** What this plugin knows of one request from its body, before any other plugin answers it. */
interface RequestUsage {
  sampled: boolean;
  counted: boolean;
  client: string;
  /** Persisted-document id (trusted documents, APQ), learned at execution for later cache hits. */
  documentId?: string;
}

interface Described {
  schema: GraphQLSchema;
  hash: string;
  name: string | null;
  document: string;
  coordinates: string[];
}

const CLIENT_HEADERS = ['graphql-client-name', 'apollographql-client-name', 'x-graphql-client-name'];
const clientOf = (headers: Headers) =>
  (CLIENT_HEADERS.map((h) => headers.get(h)).find(Boolean) || 'unknown').slice(0, 100);

type Params = {
  query?: string;
  operationName?: string | null;
  documentId?: string;
  extensions?: { persistedQuery?: { sha256Hash?: string } };
};
const documentIdOf = (params: Params) => params.documentId ?? params.extensions?.persistedQuery?.sha256Hash;

/** Invalid documents never execute, so they use nothing: they are not counted. */
function parseValid(schema: GraphQLSchema, text: string): DocumentNode | null {
  try {
    const document = parse(text);
    return validate(schema, document).length === 0 ? document : null;
  } catch {
    return null;
  }
}

/**
 * Reports which schema coordinates real operations use to the registry, for usage-aware checks
 * and the query-plan diff. Operations are counted when the request body is read, before the
 * response cache can answer: a response served from the cache is usage too, and counting only
 * executions would make a cached field look unused. The per-request cost is a sampling draw, a
 * map lookup by document text and a counter: an operation's coordinates and hash are computed
 * once per document (per schema), and counts are sent in batches, one entry per distinct
 * (operation, client) per interval. A request carrying only a persisted-document id is counted
 * from the document its first execution on this replica resolved; until then it is counted when
 * executed. A registry outage loses at most the counts it could not take (kept and retried until
 * the buffer cap), never a request.
 */
export function useUsageReporting(
  options: UsageReportingOptions,
): GatewayPlugin & { flush(): Promise<void>; observe(request: Request, params: Params): void } {
  const maxOperations = options.maxOperations ?? DEFAULT_MAX_OPERATIONS;
  const maxDocuments = options.maxDocuments ?? DEFAULT_MAX_DOCUMENTS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_USAGE_REPORT_TIMEOUT_MS;
  const weight = 1 / options.sampleRate;
  const described = new WeakMap<DocumentNode, Map<string | null, Described>>();
  // Keyed `operationName \0 text` (or `\0 id`); null marks a document that would not execute. Cleared when full.
  const byText = new Map<string, Described | null>();
  const byDocumentId = new Map<string, Described>();
  const requests = new WeakMap<Request, RequestUsage>();
  let schema: GraphQLSchema | undefined;
  let buffer = new Map<string, { op: Described; client: string; count: number; lastSeen: number }>();
  let failing = false;
  let flushing: Promise<void> | null = null;

  function describe(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): Described {
    let byName = described.get(document);
    const cached = byName?.get(operationName);
    if (cached && cached.schema === schema) return cached;
    const text = print(document);
    const name = getOperationAST(document, operationName ?? undefined)?.name?.value ?? null;
    const coordinates = [
      ...collectSchemaCoordinates({
        documentNode: document,
        variables: null,
        processVariables: false,
        schema,
        typeInfo: new TypeInfo(schema),
      }),
    ];
    const entry = {
      schema,
      hash: createHash('sha256')
        .update(`${name ?? ''}\n${text}`)
        .digest('hex'),
      name,
      document: text,
      coordinates,
    };
    if (!byName) described.set(document, (byName = new Map()));
    byName.set(operationName, entry);
    return entry;
  }

  /** A text's operation against the current schema; undefined while no schema, or for a document that would not execute. */
  function describeText(text: string, operationName: string | null): Described | undefined {
    if (!schema) return undefined;
    const key = `${operationName ?? ''}\u0000${text}`;
    const known = byText.get(key);
    if (known !== undefined && (known === null || known.schema === schema)) return known ?? undefined;
    const document = parseValid(schema, text);
    if (byText.size >= maxDocuments) byText.clear();
    const entry = document ? describe(schema, document, operationName) : null;
    byText.set(key, entry);
    return entry ?? undefined;
  }

  function count(op: Described, client: string) {
    const key = `${op.hash}\u0000${client}`;
    const entry = buffer.get(key);
    if (entry) {
      entry.count += weight;
      entry.lastSeen = Date.now();
    } else {
      buffer.set(key, { op, client, count: weight, lastSeen: Date.now() });
      if (buffer.size >= maxOperations) void flush();
    }
  }

  function remember(operationName: string | null, documentId: string, op: Described) {
    if (byDocumentId.size >= maxDocuments) byDocumentId.clear();
    byDocumentId.set(`${operationName ?? ''}\u0000${documentId}`, op);
  }

  /** Counts a request's operation as soon as its body is parsed (or leaves it to execution). */
  function observe(request: Request, params: Params) {
    const usage: RequestUsage = {
      sampled: options.sampleRate >= 1 || Math.random() < options.sampleRate,
      counted: false,
      client: clientOf(request.headers),
      documentId: documentIdOf(params),
    };
    requests.set(request, usage);
    if (!usage.sampled) return;
    const operationName = params.operationName ?? null;
    const op = params.query
      ? describeText(params.query, operationName)
      : usage.documentId
        ? byDocumentId.get(`${operationName ?? ''}\u0000${usage.documentId}`)
        : undefined;
    if (!op) return;
    // Text sent with its hash (Apollo's registration): later requests by the hash alone are this operation.
    if (params.query && usage.documentId) remember(operationName, usage.documentId, op);
    count(op, usage.client);
    usage.counted = true;
  }

  /**
   * A batch the registry did not acknowledge, sent again as it was (same `batchId`) before any new
   * one: if the first attempt did land (an answer lost to a timeout), whichever registry replica
   * gets the retry recognises the id and does not count it twice.
   */
  let unacknowledged: UsageReport | null = null;

  async function report(batch: UsageReport) {
    try {
      await options.registry.reportUsage(batch, { timeoutMs });
      if (failing) options.logger.info('usage reporting recovered');
      failing = false;
      return true;
    } catch (error) {
      if (!failing)
        options.logger.warn(
          { err: (error as Error).message },
          'usage report failed; sending it again at the next flush',
        );
      failing = true;
      return false;
    }
  }

  async function send() {
    if (unacknowledged) {
      if (!(await report(unacknowledged))) return;
      unacknowledged = null;
    }
    if (buffer.size === 0) return;
    const batch = buffer;
    buffer = new Map();
    const operations = [...batch.values()].map(({ op, client, count, lastSeen }) => ({
      hash: op.hash,
      name: op.name,
      document: op.document,
      coordinates: op.coordinates,
      client,
      count: Math.max(1, Math.round(count)),
      lastSeen,
    }));
    const next = { batchId: randomUUID(), operations };
    if (!(await report(next))) unacknowledged = next;
  }

  const flush = () => (flushing ??= send().finally(() => (flushing = null)));
  const timer = setInterval(() => void flush(), options.flushIntervalMs);
  timer.unref();

  return {
    flush,
    observe,
    onSchemaChange({ schema: next }) {
      schema = next;
    },
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (!requestParser) return;
      // Wraps the parser set so far; plugins later in the chain (the response cache's early answer)
      // wrap this one, so every body is seen here first.
      const parseBody = requestParser;
      const seen = <T>(parsed: T): T => {
        if (parsed && typeof parsed === 'object' && !(parsed instanceof Response))
          for (const params of [parsed].flat()) observe(request, params as Params);
        return parsed;
      };
      setRequestParser((incoming) => {
        const parsed = parseBody(incoming);
        return parsed instanceof Promise ? parsed.then(seen) : seen(parsed);
      });
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const usage = request && requests.get(request);
      if (usage?.counted || (usage && !usage.sampled)) return;
      if (!usage && options.sampleRate < 1 && Math.random() >= options.sampleRate) return;
      const op = describe(args.schema, args.document, args.operationName ?? null);
      if (usage?.documentId) remember(args.operationName ?? null, usage.documentId, op);
      count(op, usage?.client ?? (request ? clientOf(request.headers) : 'unknown'));
      if (usage) usage.counted = true;
    },
    async onDispose() {
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
}
