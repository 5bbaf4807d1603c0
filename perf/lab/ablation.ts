/**
 * The chain's switches, for ablation runs and comparisons: each entry turns one concern off
 * through the gateway's own environment variables (see the README's configuration table).
 * `owners` matches the profiler's owner names of what the switch removes (perf/lab/profiler/
 * owners.ts), so the report can set each switch's measured cost beside the CPU samples'.
 */
export const ABLATIONS: { name: string; env: Record<string, string>; owners: RegExp }[] = [
  {
    name: 'usage reporting',
    env: { USAGE_REPORTING: 'off' },
    owners: /use-usage-reporting|@graphql-hive\/core|useHiveConsole/,
  },
  {
    name: 'trusted documents',
    env: { TRUSTED_DOCUMENTS: 'off' },
    owners: /trusted-documents|use-arbitrary-document-log|usePersistedOperations/,
  },
  { name: 'authorization directives', env: { AUTHORIZATION_DIRECTIVES: 'off' }, owners: /^security: authorization$/ },
  {
    name: 'jwt verification',
    env: { JWT_VERIFICATION: 'off', AUTHORIZATION_DIRECTIVES: 'off' },
    owners: /useJWT|access-tokens|^security: authorization$/,
  },
  {
    name: 'query limits',
    env: { MAX_DEPTH: '0', MAX_ALIASES: '0', MAX_TOKENS: '0', MAX_DIRECTIVES: '0' },
    owners: /use-query-limits/,
  },
  { name: 'body limit', env: { MAX_REQUEST_BODY_BYTES: '0' }, owners: /use-max-request-body/ },
  { name: 'csrf prevention', env: { CSRF_PREVENTION: 'off' }, owners: /CSRF/i },
  { name: 'error masking', env: { ERROR_MASKING: 'off' }, owners: /masked-errors|useMaskedErrors/ },
  {
    name: 'resilience (timeouts, retries, deadline, breakers)',
    env: { RESILIENCE: 'off' },
    owners: /^resilience: |useUpstreamTimeout|useUpstreamRetry/,
  },
  { name: 'rate limiting and cost', env: { RATE_LIMIT: 'off' }, owners: /^rate-limit: |useDemandControl/ },
  { name: 'metrics', env: { METRICS: 'off' }, owners: /use-metrics|[pP]rometheus/ },
];

/** The full chain with only the response cache off: the "uncached" contender. */
export const RESPONSE_CACHE_OFF: Record<string, string> = { RESPONSE_CACHE: 'off' };

/** Everything off: the bare Hive Gateway + Rust planner on Bun, as a baseline. */
export const ALL_OFF: Record<string, string> = Object.assign(
  {},
  RESPONSE_CACHE_OFF,
  ...ABLATIONS.map((ablation) => ablation.env),
);
