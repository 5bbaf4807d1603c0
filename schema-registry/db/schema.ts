import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  real,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const registry = pgSchema('registry');

/** Environments (e.g. main, staging, prod), each with its own subgraphs and supergraph history. */
export const targets = registry.table('targets', {
  name: text('name').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** Usage-aware checks look back this many days. */
  usageWindowDays: integer('usage_window_days').notNull().default(7),
  /** A breaking change blocks only if its users made more than this share (%) of the window's requests. */
  usageThresholdPercent: real('usage_threshold_percent').notNull().default(0),
  /** How many of the most used operations the query-plan diff plans. */
  planCheckOperations: integer('plan_check_operations').notNull().default(25),
});

export type TokenKind = 'read' | 'usage' | 'write';

/** Target-scoped access tokens, stored as SHA-256 hashes (the secret is shown once, at creation). */
export const tokens = registry.table(
  'tokens',
  {
    id: serial('id').primaryKey(),
    target: text('target')
      .notNull()
      .references(() => targets.name, { onDelete: 'cascade' }),
    kind: text('kind').$type<TokenKind>().notNull(),
    name: text('name').notNull(),
    hash: text('hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('tokens_hash_key').on(t.hash)],
);

/** The current schema of each subgraph in a target. */
export const subgraphs = registry.table(
  'subgraphs',
  {
    target: text('target')
      .notNull()
      .references(() => targets.name),
    name: text('name').notNull(),
    url: text('url').notNull(),
    sdl: text('sdl').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('subgraphs_target_name_key').on(t.target, t.name)],
);

export interface SubgraphSnapshot {
  name: string;
  url: string;
  sdl: string;
}

/** Immutable, numbered supergraph versions per target; the newest one is served. */
export const versions = registry.table(
  'versions',
  {
    id: serial('id').primaryKey(),
    target: text('target')
      .notNull()
      .references(() => targets.name),
    number: integer('number').notNull(),
    supergraphSdl: text('supergraph_sdl').notNull(),
    /** The client-facing API schema of this supergraph, for breaking-change checks and diffs. */
    apiSdl: text('api_sdl').notNull().default(''),
    hash: text('hash').notNull(),
    subgraphs: jsonb('subgraphs').$type<SubgraphSnapshot[]>().notNull(),
    author: text('author'),
    commit: text('commit'),
    change: text('change').notNull(),
    /** Accepted despite breaking changes, on the publisher's explicit request. */
    forced: boolean('forced').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('versions_target_number_key').on(t.target, t.number),
    index('versions_target_idx').on(t.target, t.id),
  ],
);

/** Every write to the registry: who, what, when, with which token, and how it ended. */
export const audit = registry.table(
  'audit',
  {
    id: serial('id').primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    target: text('target').notNull(),
    action: text('action').notNull(),
    /** The author given with the change, if any. */
    actor: text('actor'),
    /** Which token authorised it: a short fingerprint, never the token. */
    token: text('token'),
    outcome: text('outcome').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('audit_target_idx').on(t.target, t.id)],
);
/** Operations seen by gateways (or published as trusted documents): what they select. */
export const operations = registry.table(
  'operations',
  {
    target: text('target')
      .notNull()
      .references(() => targets.name, { onDelete: 'cascade' }),
    hash: text('hash').notNull(),
    name: text('name'),
    document: text('document').notNull(),
    /** Schema coordinates the operation uses: Type, Type.field, Type.field.argument, Enum.VALUE. */
    coordinates: text('coordinates').array().notNull(),
    firstSeen: timestamp('first_seen', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.target, t.hash] })],
);

/** Request counts per operation, client and hour: the evidence usage-aware checks rely on. */
export const usage = registry.table(
  'usage',
  {
    target: text('target').notNull(),
    hash: text('hash').notNull(),
    client: text('client').notNull(),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
    lastSeen: timestamp('last_seen', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.target, t.hash, t.client, t.hour] }),
    index('usage_target_hour_idx').on(t.target, t.hour),
  ],
);

/** Trusted (persisted) documents per client: the only operations an enforcing gateway executes. */
export const documents = registry.table(
  'documents',
  {
    target: text('target')
      .notNull()
      .references(() => targets.name, { onDelete: 'cascade' }),
    client: text('client').notNull(),
    hash: text('hash').notNull(),
    name: text('name'),
    document: text('document').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.target, t.client, t.hash] }),
    index('documents_target_hash_idx').on(t.target, t.hash),
  ],
);

export type WebhookEvent = 'version.published' | 'check.failed';

export const webhooks = registry.table('webhooks', {
  id: serial('id').primaryKey(),
  target: text('target')
    .notNull()
    .references(() => targets.name, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  /** HMAC-SHA256 key for the X-Autograph-Signature header. */
  secret: text('secret').notNull(),
  events: text('events').array().$type<WebhookEvent[]>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One row per event per webhook; pending rows are retried (also after a restart). */
export const deliveries = registry.table(
  'webhook_deliveries',
  {
    id: serial('id').primaryKey(),
    webhookId: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    event: text('event').$type<WebhookEvent>().notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [index('webhook_deliveries_webhook_idx').on(t.webhookId, t.id)],
);

export const tables = {
  targets,
  tokens,
  subgraphs,
  versions,
  audit,
  operations,
  usage,
  documents,
  webhooks,
  deliveries,
};
