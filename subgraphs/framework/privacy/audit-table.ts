import { bigserial, index, jsonb, text, timestamp, uuid, type PgSchema } from 'drizzle-orm/pg-core';

/**
 * The audit log, one table per subgraph in its own schema (`<schema>.audit_log`): each subgraph
 * records the critical operations it performs, in the transaction of the change where there is
 * one, and could move to its own database with it. Append-only: a trigger written in each
 * subgraph's migration raises on UPDATE and TRUNCATE, and on DELETE unless the retention purge
 * (retention.ts) is the one deleting.
 *
 * No personal data beyond the actor's id and client address goes in here (no e-mail, no name), so
 * an erased account leaves nothing readable behind in a log that is never rewritten.
 */
export function auditLogTable(schema: PgSchema<string>) {
  return schema.table(
    'audit_log',
    {
      id: bigserial('id', { mode: 'number' }).primaryKey(),
      at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
      /** Who: the signed-in account, or the account a sign-in was for; null when nobody is known. */
      actorId: uuid('actor_id'),
      /** What: one of AUDIT_ACTIONS. */
      action: text('action').notNull(),
      /** What it was done to (an offer id, a make id, a session id), when not the actor. */
      target: text('target'),
      details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
      /** From where: the first address of the X-Forwarded-For the gateway forwarded (or X-Real-IP). */
      clientIp: text('client_ip'),
      traceId: text('trace_id'),
    },
    (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_actor_idx').on(t.actorId, t.id)],
  );
}

export type AuditLogTable = ReturnType<typeof auditLogTable>;
export type AuditRow = AuditLogTable['$inferSelect'];
