import { requireRole, requireViewer } from '../auth';
import type { SubgraphBuilder } from '../builder';
import type { BaseContext } from '../context';
import { forbidden } from '../errors';
import type { SubgraphName } from '../subgraph-config';
import type { AnyDb, AuditLog, AuditPage } from './audit';
import type { AuditRow } from './audit-table';

export interface PrivacySchemaOptions<Ctx extends BaseContext> {
  audit: AuditLog;
  /** The database the subgraph reads its own audit log and personal data from. */
  db: (ctx: Ctx) => AnyDb;
  /** Everything this subgraph holds about the account, as plain JSON (its audit entries are added). */
  exportData: (ctx: Ctx, userId: string) => Promise<Record<string, unknown>>;
}

/** The one audit log object every subgraph contributes its page to. */
export const AUDIT_LOG_ID = 'audit-log';

/**
 * The federated privacy types, the same in every subgraph: each one contributes a field named
 * after itself to two entities, so the gateway gathers one answer from all of them and no
 * subgraph reads another's tables.
 *
 * - `AuditLog @key(fields: "id")`: `auditLog { users(first, after) { entries … nextCursor } offers(…) … }`,
 *   admins only; each subgraph pages its own `audit_log`. Per subgraph rather than merged because
 *   a merge across five keyset cursors would need a coordinator, and an admin looking into an
 *   incident knows which service an action belongs to.
 * - `DataExport @key(fields: "userId")`: `exportMyData { users offers reviews search catalog }`,
 *   each a JSON document of what that subgraph holds about the signed-in account, only ever for
 *   the account of the token (a representation naming someone else is refused).
 *
 * The root fields (`Query.auditLog`, `Query.exportMyData`) are the users subgraph's; it adds them
 * to the refs returned here.
 */
export function definePrivacySchema<Ctx extends BaseContext>(
  builder: SubgraphBuilder<Ctx>,
  service: SubgraphName,
  options: PrivacySchemaOptions<Ctx>,
) {
  builder.scalarType('JSON', {
    description: 'Any JSON value',
    serialize: (value) => value,
    parseValue: (value) => value,
  });

  const AuditEntry = builder.objectRef<AuditRow & { service: string }>('AuditEntry').implement({
    shareable: true,
    description: 'One critical operation: who, what, when, from where, under which trace.',
    fields: (t) => ({
      id: t.id({ resolve: (entry) => `${entry.service}:${entry.id}` }),
      service: t.exposeString('service'),
      at: t.field({ type: 'DateTime', resolve: (entry) => entry.at }),
      actorId: t.exposeID('actorId', { nullable: true }),
      action: t.exposeString('action'),
      target: t.exposeString('target', { nullable: true }),
      details: t.field({ type: 'JSON', resolve: (entry) => entry.details }),
      clientIp: t.exposeString('clientIp', { nullable: true }),
      traceId: t.exposeString('traceId', { nullable: true }),
    }),
  });

  const AuditEntryPage = builder.objectRef<AuditPage>('AuditEntryPage').implement({
    shareable: true,
    description: 'Newest first; pass nextCursor as `after` for the next page (null: no more).',
    fields: (t) => ({
      entries: t.field({
        type: [AuditEntry],
        resolve: (page) => page.entries.map((entry) => ({ ...entry, service })),
      }),
      nextCursor: t.exposeString('nextCursor', { nullable: true }),
    }),
  });

  const AuditLogRef = builder.objectRef<{ id: string }>('AuditLog').implement({
    description: "Admins only: every subgraph's audit log, one field per subgraph.",
    fields: (t) => ({
      id: t.exposeID('id'),
      [service]: t.field({
        type: AuditEntryPage,
        authenticated: true,
        requiresScopes: [['ADMIN']],
        args: { first: t.arg.int({ defaultValue: 20 }), after: t.arg.string() },
        resolve: (_log, args, ctx) => {
          requireRole(ctx, 'ADMIN');
          return options.audit.page(options.db(ctx), args);
        },
      }),
    }),
  });
  builder.asEntity(AuditLogRef, {
    key: builder.selection<{ id: string }>('id'),
    resolveReference: (ref) => ({ id: ref.id }),
  });

  const DataExport = builder.objectRef<{ userId: string }>('DataExport').implement({
    description: 'What the system holds about the signed-in account, one JSON document per subgraph.',
    fields: (t) => ({
      userId: t.exposeID('userId'),
      [service]: t.field({
        type: 'JSON',
        authenticated: true,
        resolve: async ({ userId }, _args, ctx) => {
          if (requireViewer(ctx).userId !== userId) throw forbidden('A data export is only for your own account');
          const db = options.db(ctx);
          const [data, auditEntries] = await Promise.all([
            options.exportData(ctx, userId),
            options.audit.byActor(db, userId),
          ]);
          return { ...data, auditEntries };
        },
      }),
    }),
  });
  builder.asEntity(DataExport, {
    key: builder.selection<{ userId: string }>('userId'),
    resolveReference: (ref) => ({ userId: ref.userId }),
  });

  return { AuditLog: AuditLogRef, DataExport };
}
