import { QueryPlanner, type PlanNode } from '@graphql-hive/router-query-planner';
import LRU from 'lru-cache';
import { sha256 } from '../compose';
import { apiSchema, validateOperation, type OperationProblem } from './operations';

/** The shape of a plan that matters for latency: how many subgraph fetches, and how many in a row. */
interface PlanShape {
  fetches: number;
  /** Fetches on the longest sequential path: each one is a network round trip the client waits for. */
  hops: number;
  services: string[];
}

interface PlanChange {
  hash: string;
  name: string | null;
  requests: number;
  kind: 'newly-invalid' | 'more-fetches' | 'fewer-fetches';
  before: PlanShape | null;
  after: PlanShape | null;
  errors?: OperationProblem[];
}

export interface PlanDiff {
  /** Operations replayed: the most requested ones in the usage window. */
  planned: number;
  changes: PlanChange[];
  /** Operations the planner could not plan against the current supergraph (skipped). */
  skipped: number;
}

export interface RecordedOperation {
  hash: string;
  name: string | null;
  document: string;
  requests: number;
}

// Constructing a planner parses the supergraph (tens of milliseconds); the current supergraph is
// the same for every check until the next publish.
const planners = new LRU<string, QueryPlanner>({ max: 4 });
function plannerFor(supergraphSdl: string) {
  const key = sha256(supergraphSdl);
  let planner = planners.get(key);
  if (!planner) {
    planner = new QueryPlanner(supergraphSdl);
    planners.set(key, planner);
  }
  return planner;
}

/** Fetch count and sequential depth of a plan tree. */
function shapeOf(node: PlanNode | undefined): PlanShape {
  const services = new Set<string>();
  const walk = (n: PlanNode | undefined): { fetches: number; hops: number } => {
    if (!n) return { fetches: 0, hops: 0 };
    switch (n.kind) {
      case 'Fetch':
      case 'BatchFetch':
        services.add(n.serviceName);
        return { fetches: 1, hops: 1 };
      case 'Sequence':
        return n.nodes
          .map(walk)
          .reduce((a, b) => ({ fetches: a.fetches + b.fetches, hops: a.hops + b.hops }), { fetches: 0, hops: 0 });
      case 'Parallel':
        return n.nodes
          .map(walk)
          .reduce((a, b) => ({ fetches: a.fetches + b.fetches, hops: Math.max(a.hops, b.hops) }), {
            fetches: 0,
            hops: 0,
          });
      case 'Flatten':
        return walk(n.node);
      case 'Condition': {
        const [a, b] = [walk(n.ifClause), walk(n.elseClause)];
        return { fetches: Math.max(a.fetches, b.fetches), hops: Math.max(a.hops, b.hops) };
      }
      case 'Subscription':
        return walk(n.primary);
      case 'Defer': {
        const parts = [walk(n.primary?.node), ...(n.deferred ?? []).map((d) => walk(d.node))];
        return parts.reduce((a, b) => ({ fetches: a.fetches + b.fetches, hops: a.hops + b.hops }), {
          fetches: 0,
          hops: 0,
        });
      }
      default:
        return { fetches: 0, hops: 0 };
    }
  };
  const { fetches, hops } = walk(node);
  return { fetches, hops, services: [...services].sort() };
}

function plan(planner: QueryPlanner, operation: RecordedOperation): PlanShape {
  return shapeOf(planner.plan(operation.document, operation.name ?? undefined, new Set(), 0).node);
}

/**
 * Replays recorded operations through the same Rust planner the gateway uses, against the current
 * and the proposed supergraph, and reports what a client would feel: operations that stop
 * validating, and operations whose plan gains (or loses) subgraph fetches or sequential hops.
 */
export function diffQueryPlans(input: {
  current: { supergraphSdl: string; apiSdl: string };
  proposed: { supergraphSdl: string; apiSdl: string };
  operations: RecordedOperation[];
}): PlanDiff {
  const before = plannerFor(input.current.supergraphSdl);
  const after = plannerFor(input.proposed.supergraphSdl);
  const [currentApi, proposedApi] = [apiSchema(input.current.apiSdl), apiSchema(input.proposed.apiSdl)];
  const changes: PlanChange[] = [];
  let skipped = 0;
  for (const operation of input.operations) {
    if (validateOperation(currentApi, operation.document).length > 0) {
      skipped++;
      continue;
    }
    let old: PlanShape;
    try {
      old = plan(before, operation);
    } catch {
      skipped++;
      continue;
    }
    const base = { hash: operation.hash, name: operation.name, requests: operation.requests };
    const errors = validateOperation(proposedApi, operation.document);
    if (errors.length > 0) {
      changes.push({ ...base, kind: 'newly-invalid', before: old, after: null, errors });
      continue;
    }
    let next: PlanShape;
    try {
      next = plan(after, operation);
    } catch (error) {
      changes.push({
        ...base,
        kind: 'newly-invalid',
        before: old,
        after: null,
        errors: [{ message: (error as Error).message }],
      });
      continue;
    }
    if (next.fetches > old.fetches || next.hops > old.hops)
      changes.push({ ...base, kind: 'more-fetches', before: old, after: next });
    else if (next.fetches < old.fetches || next.hops < old.hops)
      changes.push({ ...base, kind: 'fewer-fetches', before: old, after: next });
  }
  return { planned: input.operations.length - skipped, changes, skipped };
}
