import { getTableColumns } from 'drizzle-orm';
import { byKey, defineLoader, definePreparedQuery, uuidIn } from '../framework';
import type { UsersContext } from './context';
import { users, type UserRow } from './db/schema';
import { decryptUser } from './crypto/field-cipher';

const usersByIds = definePreparedQuery('users.byIds', (db: UsersContext['db']) =>
  db.select().from(users).where(uuidIn(users.id, 'ids')),
);

/** Whole accounts, e-mail, password hash and roles included: for the signed-in user's own `me`. */
export const userById = defineLoader(async (ids: readonly string[], ctx: UsersContext) =>
  byKey(ids, await decryptAll(ctx, await usersByIds(ctx.db, '', { ids })), (row) => row.id),
);

const decryptAll = <Row extends { name: string; email?: string }>(ctx: UsersContext, rows: Row[]) =>
  Promise.all(rows.map((row) => decryptUser(ctx.fields, row)));

/** What the public `User` type shows: an account without its e-mail, password hash and roles. */
export type PublicUserRow = Omit<UserRow, 'email' | 'emailIndex' | 'passwordHash' | 'roles'>;

const {
  email: _email,
  emailIndex: _emailIndex,
  passwordHash: _passwordHash,
  roles: _roles,
  ...publicColumns
} = getTableColumns(users);

const publicUsersByIds = definePreparedQuery('users.publicByIds', (db: UsersContext['db']) =>
  db.select(publicColumns).from(users).where(uuidIn(users.id, 'ids')),
);

/**
 * Public accounts (entity references from every peer, `user(id)`): the columns `User` resolves
 * only, so the hottest lookup neither reads nor decodes secrets it never shows.
 */
export const publicUserById = defineLoader(async (ids: readonly string[], ctx: UsersContext) =>
  byKey(ids, await decryptAll(ctx, await publicUsersByIds(ctx.db, '', { ids })), (row) => row.id),
);
