/** Requests answered and failed by a closed-loop load: `connections` callers, each sending its next when answered. */
export interface LoadCount {
  requests: number;
  failures: number;
  /** The first failure's body, cut: enough to see what went wrong. */
  sample?: string;
}

export async function closedLoop(options: {
  url: string;
  query: string;
  variables: () => Record<string, unknown>;
  connections: number;
  durationMs: number;
}): Promise<LoadCount> {
  const count: LoadCount = { requests: 0, failures: 0 };
  const deadline = Date.now() + options.durationMs;
  const caller = async () => {
    while (Date.now() < deadline) {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: options.query, variables: options.variables() }),
      });
      const text = await response.text();
      count.requests++;
      // A GraphQL error or an answer without data is a failure: an error answers faster than a page.
      if (!response.ok || text.includes('"errors"') || !text.startsWith('{"data":{')) {
        count.failures++;
        count.sample ??= `HTTP ${response.status} ${text.slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, caller));
  return count;
}
