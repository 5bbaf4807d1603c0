/**
 * The registry's HTTP API from the caller's side, the only code that speaks it: the CLI, the
 * gateway (supergraph polling, usage reports, trusted documents), the publish script and tests.
 * One typed method per endpoint; the Bearer token, the timeout (DEFAULT_REGISTRY_TIMEOUT_MS,
 * `timeoutMs` per call) and errors are handled once, in ./http.ts: every failure is a
 * RegistryError with the HTTP status (0: no answer) and a stable code.
 */
import { adminCalls } from './admin';
import { contractCalls } from './contracts';
import { createTransport, type RegistryConnection } from './http';
import { operationCalls } from './operations';
import { schemaCalls, type SubgraphInput } from './schema';

export { RegistryError, type RegistryConnection } from './http';
export type { ChangeResult } from './schema';
export type { Target, TargetSettings } from './admin';

export function createRegistryClient(connection: RegistryConnection) {
  const transport = createTransport(connection);
  return {
    registryUrl: connection.registryUrl,
    /** The target of the per-target calls. */
    target: transport.target,
    ...schemaCalls(transport),
    ...operationCalls(transport),
    ...adminCalls(transport),
    ...contractCalls(transport),
  };
}

export type RegistryClient = ReturnType<typeof createRegistryClient>;

/** One publish without keeping a client (scripts and tests). */
export const publishSubgraph = (options: RegistryConnection & SubgraphInput) =>
  createRegistryClient(options).publishSubgraph(options);
