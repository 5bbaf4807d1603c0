import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgSchema, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { auditLogTable } from '../../framework/privacy/audit-table';

export const usersSchema = pgSchema('users');

export const sellerKind = usersSchema.enum('seller_kind', ['PRIVATE', 'DEALER']);
export const role = usersSchema.enum('role', ['BUYER', 'SELLER', 'DEALER', 'MODERATOR', 'ADMIN']);
export const dealerApplicationStatus = usersSchema.enum('dealer_application_status', [
  'PENDING',
  'APPROVED',
  'REJECTED',
]);

export const users = usersSchema.table(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Lower-cased, then encrypted (crypto/field-cipher.ts): `v1.<data key>.<AES-256-GCM>`. */
    email: text('email').notNull(),
    /**
     * Keyed blind index of the lower-cased e-mail (HMAC-SHA256): sign-in finds the account by it,
     * and it keeps e-mails unique, without the e-mail in clear. Null only on rows written before
     * encryption and not yet converted (users converts them at start).
     */
    emailIndex: text('email_index'),
    passwordHash: text('password_hash').notNull(),
    /** Encrypted like the e-mail. */
    name: text('name').notNull(),
    kind: sellerKind('kind').notNull().default('PRIVATE'),
    city: text('city').notNull(),
    roles: role('roles').array().notNull().default(sql`'{BUYER,SELLER}'::users.role[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Set: the account may no longer act (sign in, refresh, write anywhere). Setting it revokes the
     * account's refresh tokens (a trigger, so a plain UPDATE does it too); deleting the row deletes them.
     */
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('users_email_index_key').on(t.emailIndex), index('users_created_idx').on(t.createdAt, t.id)],
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

/**
 * Data keys of the personal fields (envelope encryption, crypto/field-cipher.ts), each stored
 * wrapped by a master key that never leaves the key management service (USERS_MASTER_KEYS).
 * `fields`: the newest encrypts, every one decrypts what it encrypted; `blind-index`: the one
 * HMAC key of the e-mail index.
 */
export const dataKeys = usersSchema.table('data_keys', {
  id: text('id').primaryKey(),
  purpose: text('purpose').$type<'fields' | 'blind-index'>().notNull(),
  masterKeyId: text('master_key_id').notNull(),
  wrappedKey: text('wrapped_key').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Access-token signing keys (ES256), shared by all replicas; the newest signs, all verify. */
export const signingKeys = usersSchema.table('signing_keys', {
  kid: text('kid').primaryKey(),
  privateJwk: jsonb('private_jwk').notNull(),
  publicJwk: jsonb('public_jwk').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Failed sign-ins per account, shared by every replica. Keyed by the SHA-256 of the lower-cased
 * e-mail whether or not an account has it, so a lock tells nothing about which e-mails exist and
 * attacker-chosen strings are never stored.
 */
export const loginAttempts = usersSchema.table('login_attempts', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailedAt: timestamp('last_failed_at', { withTimezone: true }).notNull(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
});

/**
 * Requests for the dealer role. Registering with `kind: DEALER` files one; a moderator or an
 * admin decides; only an approved one gives the account the DEALER kind and role.
 */
export const dealerApplications = usersSchema.table(
  'dealer_applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: dealerApplicationStatus('status').notNull().default('PENDING'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** The moderator or admin who decided (no foreign key: their account may go, the record stays). */
    decidedBy: uuid('decided_by'),
  },
  (t) => [
    // At most one open application per account.
    uniqueIndex('dealer_applications_pending_key').on(t.userId).where(sql`status = 'PENDING'`),
    index('dealer_applications_user_idx').on(t.userId, t.createdAt),
    index('dealer_applications_status_idx').on(t.status, t.createdAt, t.id),
  ],
);

/**
 * Account erasures (`deleteMyAccount`). The account row is anonymised in the request's
 * transaction; `completed_at` is set once every peer has acknowledged its part.
 */
export const erasureRequests = usersSchema.table('erasure_requests', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** The anonymised account (kept, so reviews stay authored by "Deleted user"). */
  userId: uuid('user_id').notNull(),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
  completedAt: timestamp('completed_at', { withTimezone: true }),
});

/**
 * The erasure outbox: one row per request and peer subgraph, written with the request. Peers
 * fetch their pending rows and acknowledge them (framework/privacy/erasure.ts), so a peer that
 * was down catches up when it is back.
 */
export const erasureDeliveries = usersSchema.table(
  'erasure_deliveries',
  {
    requestId: uuid('request_id')
      .notNull()
      .references(() => erasureRequests.id, { onDelete: 'cascade' }),
    service: text('service').notNull(),
    /** Times the peer fetched it: more than one means a retry. */
    attempts: integer('attempts').notNull().default(0),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.requestId, t.service] }),
    index('erasure_deliveries_pending_idx').on(t.service).where(sql`done_at is null`),
  ],
);

/** Critical operations done here (framework/privacy/audit-table.ts); append-only. */
export const auditLog = auditLogTable(usersSchema);

export const tables = {
  users,
  refreshTokens,
  signingKeys,
  dataKeys,
  loginAttempts,
  dealerApplications,
  erasureRequests,
  erasureDeliveries,
  auditLog,
};
export type UserRow = typeof users.$inferSelect;
export type DealerApplicationRow = typeof dealerApplications.$inferSelect;
