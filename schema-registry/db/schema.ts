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
  /** Schema policy: lint rule name → severity, applied to every checked subgraph SDL (checks/policy). */
  policy: jsonb('policy').$type<PolicyRules>().notNull().default({}),
});

export type PolicySeverity = 'off' | 'warn' | 'error';
export type PolicyRules = Record<string, PolicySeverity>;

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
    /** The registry process working on this delivery, until when: another replica takes it over only after. */
    leasedBy: text('leased_by'),
    leasedUntil: timestamp('leased_until', { withTimezone: true }),
  },
  (t) => [index('webhook_deliveries_webhook_idx').on(t.webhookId, t.id)],
);

export const CHECK_RUN_KINDS = ['check', 'publish', 'delete', 'rollback', 'promote'] as const;
export type CheckRunKind = (typeof CHECK_RUN_KINDS)[number];

/**
 * Every check the registry ran — a `schema:check`, or the check before a publish, delete, rollback
 * or promotion — with its inputs and the whole result as returned, so schema owners can find why a
 * change passed or was refused after the CI log is gone.
 */
export const checkRuns = registry.table(
  'check_runs',
  {
    id: serial('id').primaryKey(),
    target: text('target')
      .notNull()
      .references(() => targets.name, { onDelete: 'cascade' }),
    kind: text('kind').$type<CheckRunKind>().notNull(),
    /** The subgraph checked; null for rollbacks and promotions (a whole version's subgraphs). */
    subgraph: text('subgraph'),
    /** SHA-256 of the proposed SDL, and the SDL itself (null when nothing was proposed: delete, rollback, promote). */
    sdlHash: text('sdl_hash'),
    sdl: text('sdl'),
    url: text('url'),
    author: text('author'),
    commit: text('commit'),
    /** How the change ended: checked, published, unchanged, rejected or refused (over a limit). */
    status: text('status').notNull(),
    /** Passed: nothing blocks and it composes. */
    ok: boolean('ok').notNull(),
    /** The check's report (or the limit refusal) exactly as returned. */
    result: jsonb('result').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('check_runs_target_idx').on(t.target, t.id),
    index('check_runs_target_subgraph_idx').on(t.target, t.subgraph, t.id),
  ],
);

/** Schema contracts: a filtered view of a target's supergraph (by `@tag`), composed on every publish. */
export const contracts = registry.table(
  'contracts',
  {
    id: serial('id').primaryKey(),
    target: text('target')
      .notNull()
      .references(() => targets.name, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Keep only what carries one of these tags (empty: everything not excluded). */
    includeTags: text('include_tags').array().notNull(),
    /** Drop what carries one of these tags. */
    excludeTags: text('exclude_tags').array().notNull(),
    removeUnreachableTypes: boolean('remove_unreachable_types').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('contracts_target_name_key').on(t.target, t.name)],
);

/** Each contract's composed supergraph, one row per target version that changed it; the newest is served. */
export const contractVersions = registry.table(
  'contract_versions',
  {
    contractId: integer('contract_id')
      .notNull()
      .references(() => contracts.id, { onDelete: 'cascade' }),
    /** The target version it was composed from. */
    number: integer('number').notNull(),
    supergraphSdl: text('supergraph_sdl').notNull(),
    apiSdl: text('api_sdl').notNull(),
    hash: text('hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.contractId, t.number] })],
);

/** Usage batches already counted, by the reporter's batch id: a batch sent again (to any replica) counts once. */
export const usageBatches = registry.table(
  'usage_batches',
  {
    target: text('target').notNull(),
    batchId: text('batch_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.target, t.batchId] }), index('usage_batches_received_idx').on(t.receivedAt)],
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
  checkRuns,
  contracts,
  contractVersions,
  usageBatches,
};
