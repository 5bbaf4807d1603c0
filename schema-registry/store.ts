import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../subgraphs/kit/subgraph';
import { compose, type CompositionProblem } from './compose';
import { subgraphs, targets, versions, type SubgraphSnapshot, type tables } from './db/schema';

type Db = Database<typeof tables>['db'];

export type ChangeResult =
  | { ok: true; changed: boolean; version: number | null; hash: string | null }
  | { ok: false; errors: CompositionProblem[] };

/**
 * Registry storage. Every change to a target runs in one transaction holding a per-target
 * advisory lock, and composes inside it: two concurrent publishes are serialised, and the
 * second composes against the first's result, so neither is lost.
 */
export function createStore(db: Db) {
  async function inTargetLock<T>(target: string, work: (tx: Db) => Promise<T>): Promise<T> {
    return db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'registry:' + target}))`);
      await tx.insert(targets).values({ name: target }).onConflictDoNothing();
      return work(tx as unknown as Db);
    });
  }

  async function currentSubgraphs(tx: Db, target: string): Promise<SubgraphSnapshot[]> {
    return tx.select({ name: subgraphs.name, url: subgraphs.url, sdl: subgraphs.sdl }).from(subgraphs).where(eq(subgraphs.target, target));
  }

  /** Composes `next` and, if it composes and differs from the latest version, records a new version. */
  async function commit(tx: Db, target: string, next: SubgraphSnapshot[], author: string | undefined, change: string, apply: () => Promise<void>): Promise<ChangeResult> {
    const latest = await latestVersion(tx, target);
    if (next.length === 0) {
      await apply();
      return { ok: true, changed: true, version: latest?.number ?? null, hash: latest?.hash ?? null };
    }
    const composition = compose(next);
    if (!composition.ok) return { ok: false, errors: composition.errors };
    const sameSubgraphs = latest && JSON.stringify(sortByName(latest.subgraphs)) === JSON.stringify(sortByName(next));
    if (sameSubgraphs) return { ok: true, changed: false, version: latest.number, hash: latest.hash };
    await apply();
    const number = (latest?.number ?? 0) + 1;
    await tx.insert(versions).values({
      target,
      number,
      supergraphSdl: composition.supergraphSdl,
      hash: composition.hash,
      subgraphs: sortByName(next),
      author: author ?? null,
      change,
    });
    return { ok: true, changed: true, version: number, hash: composition.hash };
  }

  async function latestVersion(tx: Db, target: string) {
    const [row] = await tx.select().from(versions).where(eq(versions.target, target)).orderBy(desc(versions.number)).limit(1);
    return row;
  }

  return {
    publish(target: string, subgraph: SubgraphSnapshot, author?: string): Promise<ChangeResult> {
      return inTargetLock(target, async (tx) => {
        const others = (await currentSubgraphs(tx, target)).filter((s) => s.name !== subgraph.name);
        return commit(tx, target, [...others, subgraph], author, `publish ${subgraph.name}`, async () => {
          await tx
            .insert(subgraphs)
            .values({ target, ...subgraph })
            .onConflictDoUpdate({ target: [subgraphs.target, subgraphs.name], set: { url: subgraph.url, sdl: subgraph.sdl, updatedAt: new Date() } });
        });
      });
    },

    remove(target: string, name: string, author?: string): Promise<ChangeResult | { ok: 'missing' }> {
      return inTargetLock(target, async (tx) => {
        const current = await currentSubgraphs(tx, target);
        if (!current.some((s) => s.name === name)) return { ok: 'missing' as const };
        return commit(tx, target, current.filter((s) => s.name !== name), author, `delete ${name}`, async () => {
          await tx.delete(subgraphs).where(and(eq(subgraphs.target, target), eq(subgraphs.name, name)));
        });
      });
    },

    latest: (target: string) => latestVersion(db, target),

    listSubgraphs: (target: string) =>
      db.select().from(subgraphs).where(eq(subgraphs.target, target)).orderBy(subgraphs.name),
  };
}

export type Store = ReturnType<typeof createStore>;

const sortByName = (list: SubgraphSnapshot[]) =>
  list.map(({ name, url, sdl }) => ({ name, url, sdl })).sort((a, b) => a.name.localeCompare(b.name));
