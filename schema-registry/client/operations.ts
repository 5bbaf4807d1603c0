import type { UsageReport } from '../usage';
import type { CallOptions, Transport } from './http';

export interface DocumentSummary {
  client: string;
  hash: string;
  name: string | null;
  createdAt: string;
}

/** What gateways and clients send about operations: usage reports and trusted documents (schema-registry/api/operations.ts). */
export function operationCalls(t: Transport) {
  return {
    /** Adds a batch of operation counts (a usage token or stronger); `duplicate` when its `batchId` was already counted. */
    reportUsage: (report: UsageReport, options?: CallOptions) =>
      t.json<{ operations: number; requests: number; duplicate?: true }>(t.inTarget('/usage'), {
        ...options,
        method: 'POST',
        body: report,
      }),

    /** The trusted document with this id (hash), or null when the registry answers 404. */
    document: (id: string, options?: CallOptions): Promise<string | null> =>
      t.send(t.inTarget(`/documents/${encodeURIComponent(id)}`), { ...options, expect: [404] }, (response) =>
        response.status === 404 ? response.text().then(() => null) : response.text(),
      ),

    /** Stores a client's documents; a document that does not validate fails all (400 INVALID_DOCUMENTS, problems in `details`). */
    publishDocuments: (
      body: { client: string; documents: { hash: string; document: string }[] },
      options?: CallOptions,
    ) =>
      t.json<{ client: string; version: number; stored: number; unchanged: number }>(t.inTarget('/documents'), {
        ...options,
        method: 'POST',
        body,
      }),

    listDocuments: ({ client, ...options }: CallOptions & { client?: string } = {}) =>
      t.json<DocumentSummary[]>(
        t.inTarget(`/documents${client ? `?client=${encodeURIComponent(client)}` : ''}`),
        options,
      ),
  };
}
