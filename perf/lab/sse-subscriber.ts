/**
 * A lean GraphQL-over-SSE subscriber for load: fetch and a stream reader, no client library and
 * no message list. Thousands of them share this process with the load driver, so each keeps only
 * when it first saw each price (`seen`). Hand-written: graphql-sse's client keeps per-subscription
 * state and retries we do not want in a measurement, and the parsing needed is a few lines.
 */
export interface SseSubscriber {
  /** Price → when (performance.now()) this subscriber first read an event with it. */
  seen: Map<number, number>;
  /** Set when the stream ended or failed; a live subscriber has none. */
  ended: string | null;
  close(): void;
}

export async function openSseSubscriber(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token: string,
  priceOf: (data: any) => number | undefined,
): Promise<SseSubscriber> {
  const abort = new AbortController();
  const subscriber: SseSubscriber = { seen: new Map(), ended: null, close: () => abort.abort() };
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  if (!response.ok || !response.body) {
    subscriber.ended = `HTTP ${response.status}`;
    return subscriber;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const at = performance.now();
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (!data) continue;
          const price = priceOf(JSON.parse(data).data);
          if (price !== undefined && !subscriber.seen.has(price)) subscriber.seen.set(price, at);
        }
      }
      subscriber.ended = 'completed';
    } catch (error) {
      subscriber.ended = (error as Error).name === 'AbortError' ? 'closed' : (error as Error).message;
    }
  })();
  return subscriber;
}
