import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../kit/db';
import type { ContractDefinition, ContractProposal } from './checks/contracts';
import { contracts, contractVersions, type tables } from './db/schema';

type Db = Database<typeof tables>['db'];

export type ContractInput = Pick<
  typeof contracts.$inferInsert,
  'name' | 'includeTags' | 'excludeTags' | 'removeUnreachableTypes'
>;

/** A contract's newest artifact (its composed supergraph), as served. */
export interface ContractArtifact {
  number: number;
  supergraphSdl: string;
  apiSdl: string;
  hash: string;
}

const latestOf = sql`(select v.contract_id, v.number, v.hash, v.api_sdl, v.supergraph_sdl, v.created_at
  from registry.contract_versions v where v.contract_id = c.id order by v.number desc limit 1)`;

async function contractsOf(db: Db, target: string) {
  const rows = await db.execute<{
    id: number;
    name: string;
    include_tags: string[];
    exclude_tags: string[];
    remove_unreachable_types: boolean;
    created_at: Date;
    number: number | null;
    api_sdl: string | null;
    hash: string | null;
  }>(sql`
    select c.id, c.name, c.include_tags, c.exclude_tags, c.remove_unreachable_types, c.created_at, l.number, l.api_sdl, l.hash
    from registry.contracts c left join lateral ${latestOf} l on true
    where c.target = ${target} order by c.name`);
  return rows.map((row): ContractDefinition & { createdAt: string; version: number | null; hash: string | null } => ({
    id: row.id,
    name: row.name,
    includeTags: row.include_tags,
    excludeTags: row.exclude_tags,
    removeUnreachableTypes: row.remove_unreachable_types,
    createdAt: new Date(row.created_at).toISOString(),
    version: row.number,
    currentApiSdl: row.api_sdl,
    hash: row.hash,
  }));
}

/**
 * Schema contracts of each target and their artifacts. Contracts are defined once and composed on
 * every change of their target (store.ts, inside the target's lock): each change that alters a
 * contract's supergraph adds a row under the target's new version number.
 */
export function createContracts(db: Db) {
  return {
    /** Every contract of a target with what it serves now (the API schema its next check diffs against). */
    definitions: (target: string, tx: Db = db) => contractsOf(tx, target),

    /** The contracts of a target as listed: their filters and the version and hash of what they serve. */
    list: async (target: string) =>
      (await contractsOf(db, target)).map(({ id: _id, currentApiSdl: _api, ...contract }) => contract),

    /** The new contract's row; null when the target already has one of that name. */
    async insert(target: string, input: ContractInput, tx: Db = db) {
      const [row] = await tx
        .insert(contracts)
        .values({ target, ...input })
        .onConflictDoNothing()
        .returning();
      return row ?? null;
    },

    async remove(target: string, name: string) {
      const rows = await db
        .delete(contracts)
        .where(and(eq(contracts.target, target), eq(contracts.name, name)))
        .returning({ id: contracts.id });
      return rows.length > 0;
    },

    /** The contract's newest artifact; undefined when the contract does not exist, null when it has none yet. */
    async latest(target: string, name: string): Promise<ContractArtifact | null | undefined> {
      const [row] = await db.execute<{ number: number | null; supergraph_sdl: string; api_sdl: string; hash: string }>(
        sql`select l.number, l.supergraph_sdl, l.api_sdl, l.hash
          from registry.contracts c left join lateral ${latestOf} l on true
          where c.target = ${target} and c.name = ${name}`,
      );
      if (!row) return undefined;
      if (row.number === null) return null;
      return { number: row.number, supergraphSdl: row.supergraph_sdl, apiSdl: row.api_sdl, hash: row.hash };
    },

    /** Stores the artifacts a change composed, for the contracts whose supergraph changed. */
    async save(
      tx: Db,
      number: number,
      results: Pick<ContractProposal, 'id' | 'supergraph'>[],
      previous: Map<number, string | null>,
    ): Promise<void> {
      const changed = results.filter((r) => r.supergraph && previous.get(r.id) !== r.supergraph.hash);
      if (changed.length === 0) return;
      await tx
        .insert(contractVersions)
        .values(
          changed.map((r) => ({
            contractId: r.id,
            number,
            supergraphSdl: r.supergraph!.supergraphSdl,
            apiSdl: r.supergraph!.apiSdl,
            hash: r.supergraph!.hash,
          })),
        )
        .onConflictDoNothing();
    },
  };
}
