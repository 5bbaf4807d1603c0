import { sql } from 'drizzle-orm';
import { index, jsonb, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const usersSchema = pgSchema('users');

export const sellerKind = usersSchema.enum('seller_kind', ['PRIVATE', 'DEALER']);
export const role = usersSchema.enum('role', ['BUYER', 'SELLER', 'DEALER', 'MODERATOR', 'ADMIN']);

export const users = usersSchema.table(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stored lower-cased: sign-in is case-insensitive on e-mail. */
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    name: text('name').notNull(),
    kind: sellerKind('kind').notNull().default('PRIVATE'),
    city: text('city').notNull(),
    roles: role('roles').array().notNull().default(sql`'{BUYER,SELLER}'::users.role[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email), index('users_created_idx').on(t.createdAt, t.id)],
);

/**
 * Refresh tokens are random and stored only as SHA-256 hashes. Every refresh rotates: the old
 * row gets `rotated_at`; presenting a rotated token again means it leaked, so the whole
 * family (one sign-in session) is revoked.
 */
export const refreshTokens = usersSchema.table(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    familyId: uuid('family_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

/** Access-token signing keys (ES256), shared by all replicas; the newest signs, all verify. */
export const signingKeys = usersSchema.table('signing_keys', {
  kid: text('kid').primaryKey(),
  privateJwk: jsonb('private_jwk').notNull(),
  publicJwk: jsonb('public_jwk').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const tables = { users, refreshTokens, signingKeys };
export type UserRow = typeof users.$inferSelect;
