/**
 * What `unsafe()` returns when a wrapper decides where (or whether) a statement goes only when
 * drizzle awaits it: drizzle calls `unsafe(text, params)`, may ask for `.values()` (rows as
 * arrays), then awaits. `send(asValues)` runs once, at the await, with the form asked for.
 * Shared by the read router (db-replicas.ts) and the primary gate (db-primary-gate.ts).
 */
export function deferredQuery(send: (asValues: boolean) => Promise<unknown>) {
  let asValues = false;
  const pending = {
    values() {
      asValues = true;
      return pending;
    },
    // biome-ignore lint/suspicious/noThenProperty: drizzle awaits what unsafe() returns; this is that promise.
    then<T, E>(onFulfilled?: (value: unknown) => T, onRejected?: (reason: unknown) => E) {
      return send(asValues).then(onFulfilled, onRejected);
    },
  };
  return pending;
}
