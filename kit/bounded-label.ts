/** The label value of every client-chosen value past the bound. */
export const OTHER_OPERATIONS = '(other)';

/** Distinct operation names with series of their own per server, in the gateway and in each subgraph. */
export const DEFAULT_MAX_OPERATION_NAMES = 200;

/**
 * Operation names are chosen by clients, and every distinct label value is a series prom-client
 * keeps for the life of the process: the first `max` distinct values keep their own series, later
 * ones are counted as OTHER_OPERATIONS, so no client can mint a series per request.
 */
export function boundedLabel(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return OTHER_OPERATIONS;
    seen.add(value);
    return value;
  };
}
