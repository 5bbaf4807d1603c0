import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Database } from '../kit/db';
import { checkRuns, type CheckRunKind, type tables } from './db/schema';
import type { CheckReport } from './checks';
import { sha256 } from './compose';
import type { LimitRefusal } from './limits';

type Db = Database<typeof tables>['db'];

/** What was checked: the inputs a check run is stored with. */
export interface CheckRunInput {
  target: string;
  kind: CheckRunKind;
  subgraph?: string | null;
  sdl?: string | null;
  url?: string | null;
  author?: string | null;
  commit?: string | null;
}

export interface CheckRunFilter {
  subgraph?: string;
  kind?: CheckRunKind;
  /** true: passed runs only; false: failed (rejected or refused) only. */
  ok?: boolean;
  author?: string;
  /** Runs older than this id (paging, newest first). */
  before?: number;
  limit?: number;
}

/** What the store's changes return (store.ts ChangeOutcome, restated here so the store can import this file). */
type Outcome = { status: string; refusal: LimitRefusal } | { status: string; report: CheckReport };

/** A check passed when it composes and nothing blocks (a forced publish passed only because it was forced: not ok). */
const passed = (outcome: Outcome) =>
  'report' in outcome && outcome.status !== 'rejected' && outcome.report.blocking === 0;

/** Stored check runs: written by every check and every change's check, listed by the API and the console. */
export function createCheckRuns(db: Db) {
  return {
    /** Stores the run and hands the outcome back unchanged (call it inside the change's transaction). */
    async record<T extends Outcome | { status: 'missing' }>(tx: Db, input: CheckRunInput, outcome: T): Promise<T> {
      if (!('report' in outcome || 'refusal' in outcome)) return outcome;
      const change: Outcome = outcome;
      await tx.insert(checkRuns).values({
        target: input.target,
        kind: input.kind,
        subgraph: input.subgraph ?? null,
        sdl: input.sdl ?? null,
        sdlHash: input.sdl ? sha256(input.sdl) : null,
        url: input.url ?? null,
        author: input.author ?? null,
        commit: input.commit ?? null,
        status: change.status,
        ok: passed(change),
        result: ('report' in change ? change.report : { refusal: change.refusal }) as unknown as Record<
          string,
          unknown
        >,
      });
      return outcome;
    },

    /** Newest first, without the SDL and result (see `get`). */
    list(target: string, filter: CheckRunFilter = {}) {
      const where: (SQL | undefined)[] = [
        eq(checkRuns.target, target),
        filter.subgraph ? eq(checkRuns.subgraph, filter.subgraph) : undefined,
        filter.kind ? eq(checkRuns.kind, filter.kind) : undefined,
        filter.ok === undefined ? undefined : eq(checkRuns.ok, filter.ok),
        filter.author ? eq(checkRuns.author, filter.author) : undefined,
        filter.before ? lt(checkRuns.id, filter.before) : undefined,
      ];
      return db
        .select({
          id: checkRuns.id,
          kind: checkRuns.kind,
          subgraph: checkRuns.subgraph,
          sdlHash: checkRuns.sdlHash,
          url: checkRuns.url,
          author: checkRuns.author,
          commit: checkRuns.commit,
          status: checkRuns.status,
          ok: checkRuns.ok,
          createdAt: checkRuns.createdAt,
        })
        .from(checkRuns)
        .where(and(...where))
        .orderBy(desc(checkRuns.id))
        .limit(filter.limit ?? 50);
    },

    /** One run with its SDL and whole result. */
    get: async (target: string, id: number) =>
      (
        await db
          .select()
          .from(checkRuns)
          .where(and(eq(checkRuns.target, target), eq(checkRuns.id, id)))
      )[0] ?? null,
  };
}
