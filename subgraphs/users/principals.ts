import { and, inArray, isNull, sql } from 'drizzle-orm';
import { isId, type PrincipalDirectory } from '../framework';
import type { Database } from '../../kit/db';
import { users, type tables } from './db/schema';

/**
 * The users subgraph answers for its own writes from its table, on the primary (`execute`): a
 * replica that has not seen the deactivation yet must not let the account write.
 */
export function localPrincipals(db: Database<typeof tables>['db']): PrincipalDirectory {
  return {
    async activeOf(userIds) {
      const ids = [...new Set(userIds.filter(isId).map((id) => id.toLowerCase()))];
      if (ids.length === 0) return new Set();
      const rows = await db.execute<{ id: string }>(
        sql`select ${users.id} as id from ${users} where ${and(inArray(users.id, ids), isNull(users.deactivatedAt))}`,
      );
      const active = new Set([...rows].map((row) => row.id));
      return new Set(userIds.filter((id) => active.has(id.toLowerCase())));
    },
  };
}
