/**
 * Runs `start` with extra environment (variables a subgraph's setup reads: CATALOG_URL, tokens,
 * queue prefix, OUTBOX_*), then puts the environment back as it was.
 */
export async function withEnv<T>(env: Record<string, string>, start: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await start();
  } finally {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  }
}
