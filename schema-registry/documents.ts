import { and, eq, sql } from 'drizzle-orm';
import { getOperationAST, parse } from 'graphql';
import { z } from 'zod';
import type { Database } from '../kit/db';
import { sha256 } from './compose';
import { apiSchema, validateOperation, type OperationProblem } from './checks/operations';
import type { BrokenDocument } from './checks';
import { documents, type tables } from './db/schema';

type Db = Database<typeof tables>['db'];

export const documentsBody = z.object({
  client: z
    .string()
    .regex(/^[A-Za-z0-9][\w.@/-]{0,99}$/, 'client must be 1-100 letters, digits, ".", "_", "@", "/" or "-"'),
  documents: z
    .array(
      z.object({
        hash: z.string().regex(/^[A-Za-z0-9:_-]{8,128}$/, 'hash must be 8-128 letters, digits, ":", "_" or "-"'),
        document: z.string().min(1).max(100_000),
      }),
    )
    .min(1)
    .max(10_000),
});

export type DocumentsOutcome =
  | { status: 'stored'; stored: number; unchanged: number }
  | { status: 'invalid'; problems: { hash: string; errors: OperationProblem[] }[] };

/** Trusted (persisted) documents: immutable hash → document per client, valid against the target's API. */
export function createDocuments(db: Db) {
  return {
    /**
     * Stores a client's documents if every one of them is valid against `apiSdl` and none changes
     * an already stored hash; otherwise stores nothing and says why, per document.
     */
    async publish(target: string, input: z.infer<typeof documentsBody>, apiSdl: string): Promise<DocumentsOutcome> {
      const schema = apiSchema(apiSdl);
      const problems: { hash: string; errors: OperationProblem[] }[] = [];
      const unique = new Map(input.documents.map((d) => [d.hash, d.document]));
      for (const { hash, document } of input.documents) {
        if (unique.get(hash) !== document)
          problems.push({ hash, errors: [{ message: 'the manifest gives this hash two different documents' }] });
        // A 64-hex id is a content hash: it must be the document's, or clients and gateway disagree.
        else if (/^[0-9a-f]{64}$/i.test(hash) && sha256(document) !== hash.toLowerCase())
          problems.push({ hash, errors: [{ message: "hash is not the document's SHA-256" }] });
        else {
          const errors = validateOperation(schema, document);
          if (errors.length) problems.push({ hash, errors });
        }
      }
      if (problems.length) return { status: 'invalid', problems };

      const existing = await db
        .select({ hash: documents.hash, document: documents.document })
        .from(documents)
        .where(and(eq(documents.target, target), eq(documents.client, input.client)));
      const known = new Map(existing.map((d) => [d.hash, d.document]));
      for (const [hash, document] of unique) {
        if (known.has(hash) && known.get(hash) !== document)
          problems.push({
            hash,
            errors: [{ message: 'this hash is already stored with a different document; documents are immutable' }],
          });
      }
      if (problems.length) return { status: 'invalid', problems };
      const fresh = [...unique].filter(([hash]) => !known.has(hash));
      if (fresh.length) {
        await db
          .insert(documents)
          .values(
            fresh.map(([hash, document]) => ({
              target,
              client: input.client,
              hash,
              document,
              name: operationName(document),
            })),
          )
          .onConflictDoNothing();
      }
      return { status: 'stored', stored: fresh.length, unchanged: unique.size - fresh.length };
    },

    /** The document for a hash, whichever client published it: what a gateway resolves. */
    async get(target: string, hash: string) {
      const [row] = await db
        .select({ document: documents.document })
        .from(documents)
        .where(and(eq(documents.target, target), eq(documents.hash, hash)))
        .limit(1);
      return row?.document ?? null;
    },

    list: (target: string, client?: string) =>
      db
        .select({
          client: documents.client,
          hash: documents.hash,
          name: documents.name,
          createdAt: documents.createdAt,
        })
        .from(documents)
        .where(and(eq(documents.target, target), client ? eq(documents.client, client) : undefined))
        .orderBy(documents.client, documents.hash),

    /** Documents valid against the current API schema that the proposed one would reject. */
    async brokenBy(
      target: string,
      currentApiSdl: string | null,
      proposedApiSdl: string,
    ): Promise<{ checked: number; broken: BrokenDocument[] }> {
      const rows = await db
        .select()
        .from(documents)
        .where(eq(documents.target, target))
        .orderBy(documents.client, documents.hash);
      const proposed = apiSchema(proposedApiSdl);
      const current = currentApiSdl ? apiSchema(currentApiSdl) : null;
      const broken: BrokenDocument[] = [];
      for (const row of rows) {
        const errors = validateOperation(proposed, row.document);
        if (errors.length && (!current || validateOperation(current, row.document).length === 0)) {
          broken.push({ client: row.client, hash: row.hash, name: row.name, errors });
        }
      }
      return { checked: rows.length, broken };
    },

    count: async (target: string) =>
      Number(
        (await db.select({ n: sql<number>`count(*)` }).from(documents).where(eq(documents.target, target)))[0]?.n ?? 0,
      ),
  };
}

export type Documents = ReturnType<typeof createDocuments>;

function operationName(document: string) {
  try {
    return getOperationAST(parse(document))?.name?.value ?? null;
  } catch {
    return null;
  }
}
