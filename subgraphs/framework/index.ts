/**
 * The subgraph framework: what every subgraph is built from (Pothos builder, Yoga server with
 * health/readiness/metrics, per-request loaders, keyset pagination, error codes, token and gateway
 * signature checks, input and query limits, the active-account check on writes, the shared
 * configuration, SDL printing). Process-wide plumbing it builds on
 * (config parsing, database, logs, telemetry, service lifecycle) is in the top-level kit/.
 * Peers talk to each other through the owning subgraph's public module instead:
 * subgraphs/catalog/client.ts, subgraphs/offers/events.ts.
 */
export * from './auth';
export * from './builder';
export * from './subgraph-config';
export * from './context';
export * from './errors';
export * from './loaders';
export * from './pagination';
export * from './sdl';
export * from './server';
export * from './subgraph';
export * from './child-pages';
export * from './input-guard';
export * from './limits';
export * from './principals';
export * from './prepared';
export * from './selection';
export * from './changed-entities';
export * from './privacy/audit';
export * from './privacy/audit-table';
export * from './privacy/graphql';
export * from './privacy/erasure';
export * from './privacy/config';
