import { AUDIT_LOG_ID, definePrivacySchema, requireRole, requireViewer } from '../../framework';
import { audit } from '../audit';
import { exportAccount } from '../privacy';
import { builder } from './builder';

const { AuditLog, DataExport } = definePrivacySchema(builder, 'users', {
  audit,
  db: (ctx) => ctx.db,
  exportData: exportAccount,
});

builder.objectField(DataExport, 'generatedAt', (t) => t.field({ type: 'DateTime', resolve: () => new Date() }));

builder.queryFields((t) => ({
  auditLog: t.field({
    type: AuditLog,
    description: "Admins only: the audit log, one page per subgraph (select the subgraphs' fields).",
    authenticated: true,
    requiresScopes: [['ADMIN']],
    resolve: (_root, _args, ctx) => {
      requireRole(ctx, 'ADMIN');
      return { id: AUDIT_LOG_ID };
    },
  }),
  exportMyData: t.field({
    type: DataExport,
    description:
      'Everything the system holds about the signed-in account (GDPR art. 15 and 20): one JSON document per subgraph, each answered by the subgraph that holds it.',
    authenticated: true,
    resolve: async (_root, _args, ctx) => {
      const viewer = requireViewer(ctx);
      await audit.record(ctx.db, ctx, { action: 'data.exported' });
      return { userId: viewer.userId };
    },
  }),
}));
