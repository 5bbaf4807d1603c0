/**
 * Entities a mutation changed that its answer need not show (an erased account's `User`, say): a
 * subgraph lists them in its response's `extensions.changedEntities`, and the gateway's response
 * cache evicts them as it evicts what the answer shows (gateway/caching/use-response-cache.ts).
 * Read only in subgraphs' answers to a client's mutation; a client's own extensions never count.
 */
export const CHANGED_ENTITIES_EXTENSION = 'changedEntities';

export interface ChangedEntity {
  typename: string;
  id: string;
}

/** The well-formed entries of an answer's extensions; anything else is ignored. */
export function changedEntitiesOf(extensions: unknown): ChangedEntity[] {
  const listed = (extensions as Record<string, unknown> | undefined)?.[CHANGED_ENTITIES_EXTENSION];
  if (!Array.isArray(listed)) return [];
  return listed
    .filter(
      (entry): entry is ChangedEntity =>
        typeof entry?.typename === 'string' && (typeof entry.id === 'string' || typeof entry.id === 'number'),
    )
    .map(({ typename, id }) => ({ typename, id: String(id) }));
}
