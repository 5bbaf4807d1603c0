import DataLoader from 'dataloader';
import { Histogram } from 'prom-client';

let batchSizes: Histogram | null = null;

/**
 * Keys per batch of every loader of the process: batches of one on a list page mean a field
 * escaped its loader (the SQL-per-operation panel and alert say the same from the other side).
 * Registered by the first batch, not at import.
 */
function batchSizeHistogram(): Histogram {
  batchSizes ??= new Histogram({
    name: 'autograph_dataloader_batch_size',
    help: 'Keys loaded per DataLoader batch (one SQL statement, or one call to a peer, per batch)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  });
  return batchSizes;
}

/**
 * Per-request DataLoaders, keyed by the request context in a WeakMap so they die with the
 * request and never leak data between users. Every entity reference and list field goes
 * through one of these, so SQL statements per request do not grow with list size.
 */
export function defineLoader<Ctx extends object, K, V, C = K>(
  batch: (keys: readonly K[], ctx: Ctx) => Promise<ArrayLike<V | Error>>,
  options: DataLoader.Options<K, V, C> = {},
): (ctx: Ctx) => DataLoader<K, V, C> {
  const perRequest = new WeakMap<Ctx, DataLoader<K, V, C>>();
  return (ctx) => {
    let loader = perRequest.get(ctx);
    if (!loader) {
      loader = new DataLoader<K, V, C>(
        (keys) => {
          batchSizeHistogram().observe(keys.length);
          return batch(keys, ctx);
        },
        { maxBatchSize: 1000, ...options },
      );
      perRequest.set(ctx, loader);
    }
    return loader;
  };
}

/** Orders rows to match the keys DataLoader asked for (missing → null). */
export function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const index = new Map<K, V>();
  for (const row of rows) index.set(keyOf(row), row);
  return keys.map((key) => index.get(key) ?? null);
}

/** Groups rows per key for one-to-many loaders (missing → empty list). */
export function groupByKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const groups = new Map<K, V[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return keys.map((key) => groups.get(key) ?? []);
}
