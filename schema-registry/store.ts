import { and, desc, eq, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../kit/db';
import { createCheckRuns } from './check-runs';
import { checkProposal, type CheckReport } from './checks';
import { audit, subgraphs, targets, versions, type SubgraphSnapshot, type tables } from './db/schema';
import { composeContract } from './compose';
import { createContracts, type ContractInput } from './contracts';
import { createDocuments } from './documents';
import { weighEvidence } from './evidence';
import { DEFAULT_SCHEMA_LIMITS, measureTypes, type LimitRefusal, type SchemaLimits } from './limits';
import { weighGovernance } from './governance';
import { createUsage } from './usage';

type Db = Database<typeof tables>['db'];

export interface ChangeMeta {
  author?: string;
  commit?: string;
  /** Accept breaking changes (recorded on the version). Composition errors are never forced. */
  force?: boolean;
  /** Only report what would happen. */
  dryRun?: boolean;
}

export type ChangeOutcome =
  | { status: 'refused'; refusal: LimitRefusal }
  | { status: 'rejected'; report: CheckReport }
  | { status: 'unchanged' | 'checked'; report: CheckReport; version: number | null }
  | { status: 'published'; report: CheckReport; version: number; hash: string };

/**
 * Registry storage. Every change to a target runs in one transaction holding a per-target
 * advisory lock, and checks and composes inside it: two concurrent publishes are serialised, and
 * the second is checked against the first's result, so neither is lost.
 */
export type TargetSettings = Pick<
  typeof targets.$inferInsert,
  'usageWindowDays' | 'usageThresholdPercent' | 'planCheckOperations' | 'policy'
>;

export function createStore(db: Db, limits: SchemaLimits = DEFAULT_SCHEMA_LIMITS) {
  const usage = createUsage(db);
  const documents = createDocuments(db);
  const checkRuns = createCheckRuns(db);
  const contracts = createContracts(db);

  async function inTargetLock<T>(target: string, work: (tx: Db) => Promise<T>): Promise<T> {
    return db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`registry:${target}`}))`);
      return work(tx as unknown as Db);
    });
  }

  const currentSubgraphs = (tx: Db, target: string): Promise<SubgraphSnapshot[]> =>
    tx
      .select({ name: subgraphs.name, url: subgraphs.url, sdl: subgraphs.sdl })
      .from(subgraphs)
      .where(eq(subgraphs.target, target));

  async function latestVersion(tx: Db, target: string) {
    const [row] = await tx
      .select()
      .from(versions)
      .where(eq(versions.target, target))
      .orderBy(desc(versions.number))
      .limit(1);
    return row;
  }

  /**
   * Checks `next` against the target's latest version and, unless rejected or a dry run, makes it
   * the target's subgraph set with a new version.
   */
  async function change(
    tx: Db,
    target: string,
    next: SubgraphSnapshot[],
    changed: { before: string | null; after: string | null },
    meta: ChangeMeta,
    description: string,
  ): Promise<ChangeOutcome> {
    const latest = await latestVersion(tx, target);
    const [settings] = await tx.select().from(targets).where(eq(targets.name, target));
    if (!settings) throw new Error(`target ${target} does not exist`); // routes check first
    // Before composing: the composer's recursion must not meet more types than it can take.
    const tooLarge = measureTypes(next, limits);
    if (tooLarge) return { status: 'refused', refusal: tooLarge };
    const proposal = await checkProposal({ currentApiSdl: latest?.apiSdl || null, proposed: next, changed });
    const current = latest ? { supergraphSdl: latest.supergraphSdl, apiSdl: latest.apiSdl } : null;
    const { supergraph, ...evidence } = await weighEvidence(proposal, {
      target: settings,
      current,
      usage: createUsage(tx),
      documents: createDocuments(tx),
    });
    if (!evidence.composition.ok) return { status: 'rejected', report: evidence };
    const definitions = await contracts.definitions(target, tx);
    const governance = await weighGovernance(evidence, {
      target: settings,
      proposed: next,
      changed,
      contracts: definitions,
      usage: createUsage(tx),
      composed: Boolean(supergraph),
    });
    const { report } = governance;
    // Like the target's own composition, a contract that stops composing cannot be forced.
    if (!governance.contractsCompose) return { status: 'rejected', report };
    if (latest && same(latest.subgraphs, next)) return { status: 'unchanged', report, version: latest.number };
    if (report.blocking > 0 && !meta.force) return { status: 'rejected', report };
    if (meta.dryRun) return { status: 'checked', report, version: latest?.number ?? null };

    const names = next.map((s) => s.name);
    await tx
      .delete(subgraphs)
      .where(and(eq(subgraphs.target, target), names.length ? notInArray(subgraphs.name, names) : undefined));
    if (next.length > 0) {
      await tx
        .insert(subgraphs)
        .values(next.map((s) => ({ target, ...s })))
        .onConflictDoUpdate({
          target: [subgraphs.target, subgraphs.name],
          set: { url: sql`excluded.url`, sdl: sql`excluded.sdl`, updatedAt: sql`now()` },
          setWhere: sql`${subgraphs.sdl} <> excluded.sdl or ${subgraphs.url} <> excluded.url`,
        });
    }
    // An empty target keeps serving its last version: removing everything must not blank the gateway.
    if (!supergraph) return { status: 'unchanged', report, version: latest?.number ?? null };
    const number = (latest?.number ?? 0) + 1;
    await tx.insert(versions).values({
      target,
      number,
      supergraphSdl: supergraph.supergraphSdl,
      apiSdl: supergraph.apiSdl,
      hash: supergraph.hash,
      subgraphs: sortByName(next),
      author: meta.author ?? null,
      commit: meta.commit ?? null,
      change: description,
      forced: report.blocking > 0,
    });
    await contracts.save(tx, number, governance.contracts, new Map(definitions.map((d) => [d.id, d.hash])));
    return { status: 'published', report, version: number, hash: supergraph.hash };
  }

  return {
    usage,
    documents,
    checkRuns,
    contracts,

    /**
     * Defines a contract and composes it at once from the target's current subgraphs (in the
     * target's lock, so no publish slips in between): a contract that does not compose is not
     * created. `exists` when the name is taken.
     */
    createContract(target: string, input: ContractInput) {
      return inTargetLock(target, async (tx) => {
        const latest = await latestVersion(tx, target);
        const composition = latest
          ? composeContract(latest.subgraphs, { removeUnreachableTypes: true, ...input })
          : null;
        if (composition && !composition.ok) return { status: 'rejected' as const, errors: composition.errors };
        const row = await contracts.insert(target, input, tx);
        if (!row) return { status: 'exists' as const };
        if (latest && composition?.ok)
          await contracts.save(tx, latest.number, [{ id: row.id, supergraph: composition }], new Map());
        return { status: 'created' as const, contract: row, version: latest?.number ?? null };
      });
    },

    async createTarget(name: string, settings: TargetSettings = {}) {
      const rows = await db
        .insert(targets)
        .values({ name, ...settings })
        .onConflictDoNothing()
        .returning();
      return rows[0] ?? null;
    },

    target: async (name: string) => (await db.select().from(targets).where(eq(targets.name, name)))[0] ?? null,

    listTargets: () => db.select().from(targets).orderBy(targets.name),

    async updateTarget(name: string, settings: TargetSettings) {
      const [row] = await db.update(targets).set(settings).where(eq(targets.name, name)).returning();
      return row ?? null;
    },

    /** Publish (or with dryRun: check) one subgraph's schema. */
    publish(target: string, subgraph: SubgraphSnapshot, meta: ChangeMeta = {}) {
      return inTargetLock(target, async (tx) => {
        const current = await currentSubgraphs(tx, target);
        const before = current.find((s) => s.name === subgraph.name)?.sdl ?? null;
        const next = [...current.filter((s) => s.name !== subgraph.name), subgraph];
        const outcome = await change(
          tx,
          target,
          next,
          { before, after: subgraph.sdl },
          meta,
          `${meta.dryRun ? 'check' : 'publish'} ${subgraph.name}`,
        );
        const { sdl, url } = subgraph;
        const kind = meta.dryRun ? 'check' : 'publish';
        return checkRuns.record(tx, { target, kind, subgraph: subgraph.name, sdl, url, ...meta }, outcome);
      });
    },

    remove(target: string, name: string, meta: ChangeMeta = {}): Promise<ChangeOutcome | { status: 'missing' }> {
      return inTargetLock(target, async (tx) => {
        const current = await currentSubgraphs(tx, target);
        const removed = current.find((s) => s.name === name);
        if (!removed) return { status: 'missing' as const };
        const outcome = await change(
          tx,
          target,
          current.filter((s) => s.name !== name),
          { before: removed.sdl, after: null },
          meta,
          `delete ${name}`,
        );
        return checkRuns.record(tx, { target, kind: 'delete', subgraph: name, ...meta }, outcome);
      });
    },

    /** Re-publishes an earlier version's subgraphs as a new version (explicit intent: never blocked by breaking changes). */
    rollback(target: string, number: number, meta: ChangeMeta = {}): Promise<ChangeOutcome | { status: 'missing' }> {
      return inTargetLock(target, async (tx) => {
        const [old] = await tx
          .select()
          .from(versions)
          .where(and(eq(versions.target, target), eq(versions.number, number)));
        if (!old) return { status: 'missing' as const };
        const outcome = await change(
          tx,
          target,
          old.subgraphs,
          { before: null, after: null },
          { ...meta, force: true },
          `rollback to ${number}`,
        );
        return checkRuns.record(tx, { target, kind: 'rollback', ...meta }, outcome);
      });
    },

    /** Makes another target's version the subgraph set of `to` (e.g. staging → prod), checked against `to`. */
    async promote(
      from: string,
      number: number,
      to: string,
      meta: ChangeMeta = {},
    ): Promise<ChangeOutcome | { status: 'missing' }> {
      const [source] = await db
        .select()
        .from(versions)
        .where(and(eq(versions.target, from), eq(versions.number, number)));
      if (!source) return { status: 'missing' };
      return inTargetLock(to, async (tx) =>
        checkRuns.record(
          tx,
          { target: to, kind: 'promote', ...meta },
          await change(tx, to, source.subgraphs, { before: null, after: null }, meta, `promote ${from} v${number}`),
        ),
      );
    },

    latest: (target: string) => latestVersion(db, target),

    version: async (target: string, number: number) =>
      (
        await db
          .select()
          .from(versions)
          .where(and(eq(versions.target, target), eq(versions.number, number)))
      )[0],

    history: (target: string, limit = 50) =>
      db
        .select({
          number: versions.number,
          hash: versions.hash,
          author: versions.author,
          commit: versions.commit,
          change: versions.change,
          forced: versions.forced,
          createdAt: versions.createdAt,
          subgraphs: versions.subgraphs,
        })
        .from(versions)
        .where(eq(versions.target, target))
        .orderBy(desc(versions.number))
        .limit(limit),

    record: (entry: typeof audit.$inferInsert) =>
      db
        .insert(audit)
        .values(entry)
        .then(() => {}),

    auditLog: (target: string | undefined, limit = 100) =>
      db
        .select()
        .from(audit)
        .where(target ? eq(audit.target, target) : undefined)
        .orderBy(desc(audit.id))
        .limit(limit),

    listSubgraphs: (target: string) =>
      db.select().from(subgraphs).where(eq(subgraphs.target, target)).orderBy(subgraphs.name),
  };
}

export type Store = ReturnType<typeof createStore>;

const sortByName = (list: SubgraphSnapshot[]) =>
  list.map(({ name, url, sdl }) => ({ name, url, sdl })).sort((a, b) => a.name.localeCompare(b.name));
const same = (a: SubgraphSnapshot[], b: SubgraphSnapshot[]) =>
  JSON.stringify(sortByName(a)) === JSON.stringify(sortByName(b));
