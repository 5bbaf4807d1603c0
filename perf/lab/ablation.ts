/**
 * The chain's switches, for ablation runs and comparisons: each entry turns one concern off
 * through the gateway's own environment variables (see the README's configuration table).
 */
export const ABLATIONS: { name: string; env: Record<string, string> }[] = [
  { name: 'usage reporting', env: { USAGE_REPORTING: 'off' } },
  { name: 'trusted documents', env: { TRUSTED_DOCUMENTS: 'off' } },
  { name: 'authorization directives', env: { AUTHORIZATION_DIRECTIVES: 'off' } },
  { name: 'jwt verification', env: { JWT_VERIFICATION: 'off', AUTHORIZATION_DIRECTIVES: 'off' } },
  { name: 'query limits', env: { MAX_DEPTH: '0', MAX_ALIASES: '0', MAX_TOKENS: '0', MAX_DIRECTIVES: '0' } },
  { name: 'body limit', env: { MAX_REQUEST_BODY_BYTES: '0' } },
  { name: 'csrf prevention', env: { CSRF_PREVENTION: 'off' } },
  { name: 'error masking', env: { ERROR_MASKING: 'off' } },
  { name: 'resilience (timeouts, retries, deadline, breakers)', env: { RESILIENCE: 'off' } },
  { name: 'rate limiting and cost', env: { RATE_LIMIT: 'off' } },
  { name: 'metrics', env: { METRICS: 'off' } },
];

/** The full chain with only the response cache off: the "uncached" contender. */
export const RESPONSE_CACHE_OFF: Record<string, string> = { RESPONSE_CACHE: 'off' };

/** Everything off: the bare Hive Gateway + Rust planner on Bun, as a baseline. */
export const ALL_OFF: Record<string, string> = Object.assign(
  {},
  RESPONSE_CACHE_OFF,
  ...ABLATIONS.map((ablation) => ablation.env),
);
