/** A prom-client metric that hands out the series of one label tuple (`labels(...values)`). */
interface Labelled<S> {
  labels(...values: string[]): S;
}

/**
 * The series of a metric, each bound once per label tuple and kept: prom-client's own lookup
 * hashes a label object (sorted keys, joined strings) on every observation, which on the hot path
 * of every request and subgraph call is most of what a metric costs.
 */
export function seriesCache<S>(metric: Labelled<S>): { get(...values: string[]): S } {
  const bound = new Map<string, S>();
  return {
    get(...values) {
      const key = values.join('\u0000');
      let series = bound.get(key);
      if (!series) bound.set(key, (series = metric.labels(...values)));
      return series;
    },
  };
}
