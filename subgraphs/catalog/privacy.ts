import { auditLog as auditLogOf, type ErasureTask } from '../framework';
import type { Database } from '../../kit/db';
import { auditLog, type tables } from './db/schema';

/** The catalog's audit log (catalog.audit_log): admins' corrections of makes and models. */
export const audit = auditLogOf(auditLog);

/** The catalog holds nothing about an account but its admins' audit entries (ids only): recorded only. */
export const eraseNothing = (db: Database<typeof tables>['db'], task: ErasureTask) => audit.recordErasure(db, task, {});
