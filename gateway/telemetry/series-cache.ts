/** A prom-client metric that hands out the series of one label tuple (`labels(...values)`). */
interface Labelled<S> {
  labels(...values: string[]): S;
}

/**
 * The series of a metric, each bound once per label tuple and kept: prom-client's `labels()`
 * builds a label object, validates it and makes closures on every call. What remains per
 * observation is prom-client's own (it still hashes the bound labels): about 0.5 µs for a
 * histogram and 0.2 µs for a counter on this machine, a few µs per request in all.
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
