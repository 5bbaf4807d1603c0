import type { GatewayPlugin } from '@graphql-hive/gateway';
import { collectSchemaCoordinates } from '@graphql-hive/core';
import { getOperationAST, print, TypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createHash } from 'node:crypto';
import type { Logger } from '../../kit/log';

export interface UsageReportingOptions {
  /** The registry, and the target whose checks this traffic informs. */
  registryUrl: string;
  target: string;
  /** A usage (or stronger) token of the target. */
  token?: string;
  /** Share of operations recorded, 0..1; each recorded one counts as 1 / sampleRate requests. */
  sampleRate: number;
  flushIntervalMs: number;
  /** Distinct operations buffered before an early flush. */
  maxOperations?: number;
  logger: Logger;
}

interface Described {
  schema: GraphQLSchema;
  hash: string;
  name: string | null;
  document: string;
  coordinates: string[];
}

const CLIENT_HEADERS = ['graphql-client-name', 'apollographql-client-name', 'x-graphql-client-name'];

/**
 * Reports which schema coordinates real operations use to the registry, for usage-aware checks
 * and the query-plan diff. The per-request cost is a sampling draw, a WeakMap lookup and a counter:
 * an operation's coordinates and hash are computed once per parsed document (the parser cache
 * hands the same DocumentNode back), and counts are sent in batches, one entry per distinct
 * (operation, client) per interval. A registry outage loses at most the counts it could not
 * take (kept and retried until the buffer cap), never a request.
 */
export function useUsageReporting(options: UsageReportingOptions): GatewayPlugin & { flush(): Promise<void> } {
  const url = `${options.registryUrl.replace(/\/$/, '')}/v1/targets/${encodeURIComponent(options.target)}/usage`;
  const maxOperations = options.maxOperations ?? 1_000;
  const weight = 1 / options.sampleRate;
  const described = new WeakMap<DocumentNode, Map<string | null, Described>>();
  let buffer = new Map<string, { op: Described; client: string; count: number; lastSeen: number }>();
  let failing = false;
  let flushing: Promise<void> | null = null;

  function describe(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): Described {
    let byName = described.get(document);
    const cached = byName?.get(operationName);
    if (cached && cached.schema === schema) return cached;
    const text = print(document);
    const name = getOperationAST(document, operationName ?? undefined)?.name?.value ?? null;
    const coordinates = [...collectSchemaCoordinates({ documentNode: document, variables: null, processVariables: false, schema, typeInfo: new TypeInfo(schema) })];
    const entry = { schema, hash: createHash('sha256').update(`${name ?? ''}\n${text}`).digest('hex'), name, document: text, coordinates };
    if (!byName) described.set(document, (byName = new Map()));
    byName.set(operationName, entry);
    return entry;
  }

  async function send() {
    if (buffer.size === 0) return;
    const batch = buffer;
    buffer = new Map();
    const operations = [...batch.values()].map(({ op, client, count, lastSeen }) => ({
      hash: op.hash, name: op.name, document: op.document, coordinates: op.coordinates, client, count: Math.max(1, Math.round(count)), lastSeen,
    }));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        body: JSON.stringify({ operations }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`registry answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
      if (failing) options.logger.info('usage reporting recovered');
      failing = false;
    } catch (error) {
      if (!failing) options.logger.warn({ err: (error as Error).message }, 'usage report failed; keeping counts for the next flush');
      failing = true;
      // Put the counts back (merged with what arrived meanwhile), within the buffer cap.
      for (const [key, entry] of batch) {
        const current = buffer.get(key);
        if (current) current.count += entry.count;
        else if (buffer.size < maxOperations * 10) buffer.set(key, entry);
      }
    }
  }

  const flush = () => (flushing ??= send().finally(() => (flushing = null)));
  const timer = setInterval(() => void flush(), options.flushIntervalMs);
  timer.unref();

  return {
    flush,
    onExecute({ args }) {
      if (options.sampleRate < 1 && Math.random() >= options.sampleRate) return;
      const op = describe(args.schema, args.document, args.operationName ?? null);
      const headers = (args.contextValue as { request?: Request }).request?.headers;
      const client = (headers && CLIENT_HEADERS.map((h) => headers.get(h)).find(Boolean)) || 'unknown';
      const key = `${op.hash}\u0000${client}`;
      const entry = buffer.get(key);
      if (entry) {
        entry.count += weight;
        entry.lastSeen = Date.now();
      } else {
        buffer.set(key, { op, client: client.slice(0, 100), count: weight, lastSeen: Date.now() });
        if (buffer.size >= maxOperations) void flush();
      }
    },
    async onDispose() {
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
}
