import { Counter } from 'prom-client';

/** Writes that change a target's schema. */
export type ChangeAction = 'publish' | 'delete' | 'rollback' | 'promote';
/**
 * published: a new version; unchanged: nothing to do; rejected: the subgraphs would not compose
 * or the change breaks clients (409); refused: the request itself was not accepted (invalid or
 * over-limit SDL, a routing URL on a host not allowed).
 */
export type ChangeResult = 'published' | 'unchanged' | 'rejected' | 'refused';
/** passed / failed: the schema would be accepted or rejected; refused: the check could not run on this input. */
export type CheckResult = 'passed' | 'failed' | 'refused';

interface RegistryMetrics {
  change(action: ChangeAction, result: ChangeResult): void;
  check(result: CheckResult): void;
}

let metrics: RegistryMetrics | null = null;

/**
 * The registry's schema changes and checks, in the default registry its /metrics serves. One
 * set per process (several registries in one test process count together), created by the
 * first API built, not at import.
 */
export function registryMetrics(): RegistryMetrics {
  if (metrics) return metrics;
  const changes = new Counter({
    name: 'autograph_registry_schema_changes_total',
    help: 'Schema writes (publish, delete, rollback, promote) by result: published, unchanged, rejected (composition or breaking changes), refused (invalid input, limits, host not allowed)',
    labelNames: ['action', 'result'],
  });
  const checks = new Counter({
    name: 'autograph_registry_checks_total',
    help: 'Schema checks by result: passed, failed (would be rejected), refused (invalid input, limits, host not allowed)',
    labelNames: ['result'],
  });
  metrics = {
    change: (action, result) => changes.labels({ action, result }).inc(),
    check: (result) => checks.labels({ result }).inc(),
  };
  return metrics;
}
