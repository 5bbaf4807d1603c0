import { boolean, index, integer, jsonb, pgSchema, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const registry = pgSchema('registry');

/** Environments (e.g. main, staging, prod), each with its own subgraphs and supergraph history. */
export const targets = registry.table('targets', {
  name: text('name').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The current schema of each subgraph in a target. */
export const subgraphs = registry.table(
  'subgraphs',
  {
    target: text('target').notNull().references(() => targets.name),
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
    target: text('target').notNull().references(() => targets.name),
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
  (t) => [uniqueIndex('versions_target_number_key').on(t.target, t.number), index('versions_target_idx').on(t.target, t.id)],
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
export const tables = { targets, subgraphs, versions, audit };
