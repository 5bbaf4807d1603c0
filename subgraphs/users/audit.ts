import { auditLog as auditLogOf, type BaseContext } from '../framework';
import { auditLog } from './db/schema';

/** The users subgraph's audit log (users.audit_log): sign-ins, sessions, roles, exports, erasure. */
export const audit = auditLogOf(auditLog);

/** Where an audited operation came from: the request context, or nothing outside a request. */
export type AuditSource = Partial<Pick<BaseContext, 'request' | 'viewer'>>;
