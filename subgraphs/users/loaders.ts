import { inArray } from 'drizzle-orm';
import { byKey, defineLoader } from '../framework';
import type { UsersContext } from './context';
import { users } from './db/schema';

export const userById = defineLoader(async (ids: readonly string[], ctx: UsersContext) =>
  byKey(
    ids,
    await ctx.db
      .select()
      .from(users)
      .where(inArray(users.id, [...ids])),
    (row) => row.id,
  ),
);
