import { and, eq, isNull } from 'drizzle-orm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../kit/db';
import { tokens, type TokenKind, type tables } from './db/schema';

type Db = Database<typeof tables>['db'];

/**
 * Who may do what. Each level includes the ones before it:
 * - read: fetch a target's artifacts (supergraph, versions, trusted documents) — what gateways need;
 * - usage: also report usage — what gateways send;
 * - write: also publish, check, delete, roll back, publish trusted documents — what CI needs;
 * - admin: the registry token: everything, on every target, including tokens and webhooks.
 */
export type AccessLevel = TokenKind | 'admin';
export const RANK: Record<AccessLevel, number> = { read: 1, usage: 2, write: 3, admin: 4 };
export const TOKEN_KINDS: TokenKind[] = ['read', 'usage', 'write'];

export type Caller =
  | { kind: 'admin'; fingerprint: string }
  | { kind: 'open'; fingerprint: 'none' }
  | { kind: TokenKind; target: string; tokenId: number; name: string; fingerprint: string };

export type AccessDecision = { ok: true; caller: Caller } | { ok: false; status: 401 | 403; message: string };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
/** A short, stable identifier of a token for logs and the audit trail; never the token itself. */
const fingerprint = (token: string) => `sha256:${sha256(token).slice(0, 12)}`;

function safeEqual(a: string, b: string) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The bearer token, or the read key header that CDN-style artifact fetches use. */
export function presentedToken(headers: { get(name: string): string | null | undefined }): string | null {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.get('authorization') ?? '')?.[1];
  return bearer?.trim() || headers.get('x-registry-key')?.trim() || null;
}

export function createAccess(db: Db, adminToken: string | undefined) {
  return {
    /** Issues a target-scoped token; the secret is returned only here. */
    async issue(target: string, kind: TokenKind, name: string) {
      const secret = `agr_${kind}_${randomBytes(24).toString('base64url')}`;
      const [row] = await db
        .insert(tokens)
        .values({ target, kind, name, hash: sha256(secret) })
        .returning();
      return { id: row!.id, target, kind, name, token: secret, createdAt: row!.createdAt };
    },

    list: (target: string) =>
      db
        .select({
          id: tokens.id,
          kind: tokens.kind,
          name: tokens.name,
          createdAt: tokens.createdAt,
          revokedAt: tokens.revokedAt,
        })
        .from(tokens)
        .where(eq(tokens.target, target))
        .orderBy(tokens.id),

    async revoke(target: string, id: number) {
      const rows = await db
        .update(tokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(tokens.target, target), eq(tokens.id, id), isNull(tokens.revokedAt)))
        .returning({ id: tokens.id });
      return rows.length > 0;
    },

    /** Who a token belongs to, whatever it may do (the console's sign-in); null when unknown or revoked. */
    async identify(token: string): Promise<Caller | null> {
      if (!adminToken) return { kind: 'open', fingerprint: 'none' };
      if (safeEqual(token, adminToken)) return { kind: 'admin', fingerprint: fingerprint(token) };
      const [row] = await db
        .select()
        .from(tokens)
        .where(eq(tokens.hash, sha256(token)));
      if (!row || row.revokedAt) return null;
      return { kind: row.kind, target: row.target, tokenId: row.id, name: row.name, fingerprint: fingerprint(token) };
    },

    /** Decides whether the presented token grants `level` on `target` (undefined: registry-wide). */
    async authorize(token: string | null, level: AccessLevel, target: string | undefined): Promise<AccessDecision> {
      // Without an admin token the registry runs open (development only; announced at start).
      if (!adminToken) return { ok: true, caller: { kind: 'open', fingerprint: 'none' } };
      const needs =
        level === 'admin' ? 'the registry admin token' : `a ${level} token for target "${target}" (or the admin token)`;
      if (!token)
        return {
          ok: false,
          status: 401,
          message: `This needs ${needs}: send "Authorization: Bearer <token>"${level === 'read' ? ' or "X-Registry-Key: <key>"' : ''}`,
        };
      if (safeEqual(token, adminToken)) return { ok: true, caller: { kind: 'admin', fingerprint: fingerprint(token) } };
      const [row] = await db
        .select()
        .from(tokens)
        .where(eq(tokens.hash, sha256(token)));
      if (!row || row.revokedAt)
        return {
          ok: false,
          status: 403,
          message: `The token is not valid${row ? ' (revoked)' : ''}; this needs ${needs}`,
        };
      if (level === 'admin' || row.target !== target || RANK[row.kind] < RANK[level]) {
        return {
          ok: false,
          status: 403,
          message: `The ${row.kind} token "${row.name}" of target "${row.target}" cannot do this; it needs ${needs}`,
        };
      }
      return {
        ok: true,
        caller: {
          kind: row.kind,
          target: row.target,
          tokenId: row.id,
          name: row.name,
          fingerprint: fingerprint(token),
        },
      };
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
