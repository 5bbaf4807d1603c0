import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildASTSchema, parse } from 'graphql';
import { compose, type CompositionProblem } from '../compose';
import type { SubgraphSnapshot } from '../db/schema';
import type { UsageWindow } from '../usage';
import type { OperationProblem } from './operations';
import type { PolicyReport } from './policy';
import type { PlanDiff } from './plan-diff';

type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  level: ChangeLevel;
  type: string;
  message: string;
  /** Schema coordinate, e.g. Offer.price or Query.offers.first. */
  path?: string;
  /** Breaking changes only: whether this one stops a publish (see usage-aware checks). */
  blocking?: boolean;
  /** Breaking, but no recorded operation above the threshold used it in the usage window. */
  safeByUsage?: boolean;
  usage?: {
    coordinate: string;
    requests: number;
    operations: { hash: string; name: string | null; client: string; requests: number }[];
  };
}

export interface BrokenDocument {
  client: string;
  hash: string;
  name: string | null;
  errors: OperationProblem[];
}

/** What a change does to one schema contract: does it still compose, and what changes for its clients. */
export interface ContractCheck {
  name: string;
  composition: { ok: boolean; errors: CompositionProblem[] };
  apiChanges: SchemaChange[];
  breaking: number;
  /** Breaking changes of this contract that recorded usage says clients rely on. */
  blocking: number;
}

export interface CheckReport {
  /** Composition succeeded and nothing breaks clients. */
  ok: boolean;
  composition: { ok: boolean; errors: CompositionProblem[] };
  /** Changes to the client-facing API schema (what consumers see). */
  apiChanges: SchemaChange[];
  /** Changes to the subgraph's own SDL (what the gateway routes to). */
  subgraphChanges: SchemaChange[];
  breaking: number;
  /** Breaking changes that are used (or cannot be shown unused) plus broken trusted documents. */
  blocking: number;
  /** The usage data the verdict relied on. */
  usage?: { window: UsageWindow; summary: string };
  /** Trusted documents that valid today and invalid after the change. */
  documents?: { checked: number; broken: BrokenDocument[] };
  /** The most used operations replayed through the query planner, before and after. */
  plans?: PlanDiff;
  /** Each schema contract of the target composed from the proposal; one that does not compose rejects it. */
  contracts?: ContractCheck[];
  /** The target's schema policy applied to the changed subgraph's SDL; errors block. */
  policy?: PolicyReport;
}

/** A check's report plus, when the proposed subgraphs compose, the supergraph they compose to. */
export type Proposal = CheckReport & { supergraph?: { supergraphSdl: string; apiSdl: string; hash: string } };

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

const build = (sdl: string) => buildASTSchema(parse(sdl), { assumeValid: true, assumeValidSDL: true });

/** Classifies every difference between two schemas with graphql-inspector. */
export async function diffSchemas(before: string, after: string): Promise<SchemaChange[]> {
  if (!before.trim() || !after.trim()) return [];
  const changes: Change[] = await diff(build(before), build(after));
  return changes.map((c) => ({ level: LEVELS[c.criticality.level], type: c.type, message: c.message, path: c.path }));
}

/**
 * What a proposed set of subgraphs would do: does it compose, and what changes for clients
 * (API schema) and for the changed subgraph. Pure apart from graphql-inspector's async API.
 */
export async function checkProposal(input: {
  currentApiSdl: string | null;
  proposed: SubgraphSnapshot[];
  changed?: { before: string | null; after: string | null };
}): Promise<Proposal> {
  const composition = input.proposed.length > 0 ? compose(input.proposed) : null;
  if (composition && !composition.ok) {
    return {
      ok: false,
      composition: { ok: false, errors: composition.errors },
      apiChanges: [],
      subgraphChanges: [],
      breaking: 0,
      blocking: 0,
    };
  }
  const apiSdl = composition?.ok ? composition.apiSdl : 'type Query { _empty: Boolean }';
  const apiChanges = input.currentApiSdl ? await diffSchemas(input.currentApiSdl, apiSdl) : [];
  const subgraphChanges =
    input.changed?.before && input.changed.after ? await diffSchemas(input.changed.before, input.changed.after) : [];
  const breaking = apiChanges.filter((c) => c.level === 'breaking').length;
  return {
    ok: breaking === 0,
    blocking: breaking,
    composition: { ok: true, errors: [] },
    apiChanges,
    subgraphChanges,
    breaking,
    supergraph: composition?.ok
      ? { supergraphSdl: composition.supergraphSdl, apiSdl: composition.apiSdl, hash: composition.hash }
      : undefined,
  };
}
