import { readFileSync } from 'node:fs';
import { RegistryError } from '../client';
import { Rejected, required, UsageError, type Command } from './common';

interface Manifest {
  documents: { hash: string; document: string }[];
}

/**
 * Reads a persisted-operations manifest in either common format: Apollo's
 * `{ format: "apollo-persisted-query-manifest", operations: [{ id, body }] }`, or the
 * `{ "<hash>": "<document>" }` map written by GraphQL Code Generator's client preset and Relay.
 */
function readManifest(file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`cannot read ${file} as a JSON manifest: ${reason}`);
  }
  if (
    raw &&
    typeof raw === 'object' &&
    'operations' in raw &&
    Array.isArray((raw as { operations: unknown }).operations)
  ) {
    const operations = (raw as { operations: { id?: unknown; body?: unknown }[] }).operations;
    const documents = operations.map((op, i) => {
      if (typeof op.id !== 'string' || typeof op.body !== 'string')
        throw new UsageError(`${file}: operations[${i}] needs a string "id" and "body"`);
      return { hash: op.id, document: op.body };
    });
    return { documents };
  }
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const entries = Object.entries(raw as Record<string, unknown>);
    const bad = entries.find(([, document]) => typeof document !== 'string');
    if (bad) throw new UsageError(`${file}: "${bad[0]}" must map to a document string`);
    if (entries.length)
      return { documents: entries.map(([hash, document]) => ({ hash, document: document as string })) };
  }
  throw new UsageError(
    `${file}: not a persisted operations manifest (expected an Apollo manifest or a {"hash": "document"} map with at least one entry)`,
  );
}

/** Trusted documents: what clients publish so an enforcing gateway runs only known operations. */
export const operationCommands: Record<string, Command> = {
  async 'operations:publish'([file], flags, registry, print) {
    const manifest = readManifest(required(file, 'MANIFEST'));
    const client = required(flags.client, '--client');
    try {
      const result = await registry.publishDocuments({ client, documents: manifest.documents });
      print(
        [
          `${client}: ${result.stored} document(s) stored, ${result.unchanged} already known (validated against version ${result.version})`,
        ],
        result,
      );
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'INVALID_DOCUMENTS' && Array.isArray(error.details)) {
        const problems = error.details as {
          hash: string;
          errors: { message: string; line?: number; column?: number }[];
        }[];
        const lines = problems.flatMap((p) =>
          p.errors.map((e) => `  ${p.hash}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message}`),
        );
        throw new Rejected([...lines, `rejected: ${error.reason}`].join('\n'));
      }
      throw error;
    }
  },

  async 'operations:list'(_args, flags, registry, print) {
    const rows = await registry.listDocuments({ client: flags.client });
    print(
      rows.map((d) => `${d.client}  ${d.hash}  ${d.name ?? '(anonymous)'}`),
      rows,
    );
  },
};
