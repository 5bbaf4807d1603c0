/**
 * A load scenario is data: the operations, how their variables vary, the mix, the load and the
 * thresholds. The local runner (`bun perf run`) and the generated k6 scripts (`perf/k6/`) read the
 * same object, so what runs here and what runs in a cluster never drift apart.
 *
 * `variables` and `extract` are pure functions: their source text is copied into the k6 scripts,
 * so they may use only their arguments (no imports, no closures).
 */
export interface VariableContext {
  /** One element of a list, uniformly. */
  pick<T>(list: readonly T[]): T;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** Id lists fetched once before the load starts (see `Scenario.pools`). */
  pools: Record<string, string[]>;
  /** A number unique to this request within the run (for unique titles and the like). */
  sequence: number;
  /**
   * A key unique to this request across runs and load generators, as a client makes one per
   * write: the idempotency key of a create, so that sending the request again cannot create twice.
   */
  requestKey: string;
}

export interface Operation {
  /** Label in reports. */
  name: string;
  /** Relative share of requests. */
  weight: number;
  query: string;
  variables?: (ctx: VariableContext) => Record<string, unknown>;
  /** Sent with a signed-in user's access token (users registered before the load starts). */
  auth?: boolean;
  /** Sent as a hash-only GET (the document is registered as a trusted document first). */
  persisted?: boolean;
  /** Error codes that are a correct answer here (e.g. FORBIDDEN for a non-owner), not failures. */
  expectedErrors?: string[];
  /**
   * Why this operation is sent with the same variables (or none) on every request. Only cache
   * scenarios may do that on purpose: the gateway deduplicates identical in-flight subgraph
   * requests, so a load of identical requests measures deduplication, not the gateway. Every
   * other operation must have a `variables` generator that differs request to request (the lab's
   * tests check both).
   */
  identical?: string;
}

/** Values fetched from the live data once before the load (ids, so requests hit real rows). */
export interface Pool {
  query: string;
  extract: (data: any) => string[];
}

export interface Thresholds {
  p95Ms?: number;
  p99Ms?: number;
  /** Share of failed requests (HTTP errors, GraphQL errors, timeouts), 0..1. */
  maxErrorRate?: number;
  minRps?: number;
}

export interface Scenario {
  name: string;
  description: string;
  operations: Operation[];
  pools?: Record<string, Pool>;
  /** Users to register before the load, for `auth` operations. */
  users?: number;
  load: {
    /** Concurrent connections (closed model: each sends its next request when the last answered). */
    connections: number;
    durationSec: number;
    /** Cap on total requests per second (open model); unset = as fast as the system answers. */
    rate?: number;
  };
  thresholds: Thresholds;
}

export const defineScenario = (scenario: Scenario) => scenario;
