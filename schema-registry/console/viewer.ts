import type { Context } from 'hono';
import { RANK, type Caller } from '../access';
import type { targets } from '../db/schema';
import type { Session } from './session';

/** Who is looking: the token's owner as the registry's access rules know it, and their session. */
export interface Viewer {
  caller: Caller;
  session: Session;
  /** The CSRF token every form of this session carries. */
  csrf: string;
}

export type ConsoleEnv = { Variables: { viewer: Viewer; target: typeof targets.$inferSelect } };
export type ConsoleContext = Context<ConsoleEnv>;

/** The admin token (or an open development registry) sees and does everything. */
export const isAdmin = (viewer: Viewer) => viewer.caller.kind === 'admin' || viewer.caller.kind === 'open';
/** A target token sees only its own target. */
export const canSee = (viewer: Viewer, target: string) =>
  isAdmin(viewer) || ('target' in viewer.caller && viewer.caller.target === target);
/** Checks (and every other action on a target) need a write token of that target or the admin token. */
export const canAct = (viewer: Viewer, target: string) =>
  isAdmin(viewer) ||
  (canSee(viewer, target) && viewer.caller.kind !== 'open' && RANK[viewer.caller.kind] >= RANK.write);

/** Who the caller is, in words, for the header. */
export const describeCaller = (caller: Caller) =>
  caller.kind === 'admin'
    ? 'admin'
    : caller.kind === 'open'
      ? 'open registry (no admin token)'
      : `${caller.kind} token "${caller.name}" of ${caller.target}`;
