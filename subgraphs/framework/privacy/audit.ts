import { trace } from '@opentelemetry/api';
import { desc, eq, lt, and, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { badInput } from '../errors';
import { checkFirst } from '../pagination';
import type { Viewer } from '../context';
import type { AuditLogTable, AuditRow } from './audit-table';

/** The critical operations recorded; a stable vocabulary, read by people and tools alike. */
export const AUDIT_ACTIONS = [
  'sign_in.succeeded',
  'sign_in.failed',
  'password.changed',
  'session.revoked',
  'roles.changed',
  'offer.price_changed',
  'offer.withdrawn',
  'catalog.make_updated',
  'catalog.model_updated',
  'data.exported',
  'account.erasure_requested',
  'account.erased',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

// Any drizzle database or transaction on postgres: the audit row goes in the caller's transaction.
export type AnyDb = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

export interface AuditEvent {
  action: AuditAction;
  /** Defaults to the signed-in viewer. */
  actorId?: string | null;
  target?: string | null;
  details?: Record<string, unknown>;
}

/** Where a request came from, as the subgraph sees it. */
export interface RequestOrigin {
  clientIp: string | null;
  traceId: string | null;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const MAX_HEADER_VALUE = 200;

/**
 * The client address and trace id of a request. The address is the first entry of the
 * X-Forwarded-For header the gateway forwards (PROPAGATE_HEADERS=x-forwarded-for), else X-Real-IP:
 * the subgraph sees only the gateway's socket, so what the gateway forwards is all it can record.
 * The trace id is the active span's (OpenTelemetry), else the one in the W3C `traceparent`
 * header, else the gateway's `x-request-id`.
 */
export function requestOrigin(request: Request | undefined): RequestOrigin {
  if (!request) return { clientIp: null, traceId: null };
  const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  const clientIp = (forwarded || request.headers.get('x-real-ip')?.trim() || null)?.slice(0, 64) ?? null;
  const span = trace.getActiveSpan()?.spanContext();
  const fromHeader = TRACEPARENT.exec(request.headers.get('traceparent') ?? '')?.[1];
  const traceId =
    (span && span.traceId !== '00000000000000000000000000000000' ? span.traceId : undefined) ??
    fromHeader ??
    request.headers.get('x-request-id')?.slice(0, MAX_HEADER_VALUE) ??
    null;
  return { clientIp, traceId };
}

/** Writes and reads one subgraph's audit log. */
export function auditLog(table: AuditLogTable) {
  return {
    table,
    /** Appends one entry; pass the transaction of the change so both commit or neither does. */
    async record(db: AnyDb, from: { request?: Request; viewer?: Viewer | null }, event: AuditEvent): Promise<void> {
      const origin = requestOrigin(from.request);
      await db.insert(table).values({
        action: event.action,
        actorId: event.actorId === undefined ? (from.viewer?.userId ?? null) : event.actorId,
        target: event.target ?? null,
        details: event.details ?? {},
        ...origin,
      });
    },

    /**
     * Records that this subgraph applied an erasure, once per request however often it is
     * applied again (erasures are delivered at least once).
     */
    async recordErasure(db: AnyDb, task: { requestId: string; userId: string }, details: Record<string, unknown>) {
      const [seen] = await db
        .select({ id: table.id })
        .from(table)
        .where(and(eq(table.action, 'account.erased'), eq(table.target, task.requestId)))
        .limit(1);
      if (!seen)
        await db
          .insert(table)
          .values({ action: 'account.erased', actorId: task.userId, target: task.requestId, details });
    },

    /** Newest first, keyset-paged on the id; `after` is the previous page's `nextCursor`. */
    async page(
      db: AnyDb,
      args: { first?: number | null; after?: string | null; actorId?: string },
    ): Promise<AuditPage> {
      const first = checkFirst(args.first);
      const after = args.after == null ? null : Number(args.after);
      if (after !== null && !(Number.isSafeInteger(after) && after > 0))
        throw badInput('after is not a valid audit cursor', 'after');
      const conditions: SQL[] = [];
      if (after !== null) conditions.push(lt(table.id, after));
      if (args.actorId) conditions.push(eq(table.actorId, args.actorId));
      const rows = await db
        .select()
        .from(table)
        .where(and(...conditions))
        .orderBy(desc(table.id))
        .limit(first + 1);
      const entries = rows.slice(0, first);
      return { entries, nextCursor: rows.length > first ? String(entries.at(-1)!.id) : null };
    },

    /** Every entry an account is the actor of, oldest first: for its data export. */
    byActor: (db: AnyDb, actorId: string): Promise<AuditRow[]> =>
      db.select().from(table).where(eq(table.actorId, actorId)).orderBy(table.id),
  };
}

export type AuditLog = ReturnType<typeof auditLog>;

export interface AuditPage {
  entries: AuditRow[];
  nextCursor: string | null;
}
