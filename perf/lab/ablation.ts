/**
 * The chain's switches, for ablation runs and comparisons: each entry turns one concern off
 * through the gateway's own environment variables (see the README's configuration table).
 */
export const ABLATIONS: { name: string; env: Record<string, string> }[] = [
  { name: 'usage reporting', env: { USAGE_REPORTING: 'off' } },
];

/** The full chain with only the response cache off: the "uncached" contender. */
export const RESPONSE_CACHE_OFF: Record<string, string> = { RESPONSE_CACHE: 'off' };

/** Everything off: the bare Hive Gateway + Rust planner on Bun, as a baseline. */
export const ALL_OFF: Record<string, string> = Object.assign({}, RESPONSE_CACHE_OFF, ...ABLATIONS.map((ablation) => ablation.env));
