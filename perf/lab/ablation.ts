/**
 * The chain's switches, for ablation runs: each entry turns one concern off through the gateway's
 * own environment variables (see the README's configuration table), nothing else.
 */
export const ABLATIONS: { name: string; env: Record<string, string> }[] = [
  { name: 'usage reporting', env: { USAGE_REPORTING: 'off' } },
];

/** Everything off: the bare Hive Gateway + Rust planner on Bun, as a baseline. */
export const ALL_OFF: Record<string, string> = Object.assign({}, ...ABLATIONS.map((ablation) => ablation.env));
