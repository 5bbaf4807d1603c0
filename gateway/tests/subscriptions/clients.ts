import { createClient } from 'graphql-ws';

/** One message of a subscription as a client received it. */
export interface LiveMessage {
  data?: any;
  errors?: { message: string; extensions?: Record<string, any> }[];
}

/** A subscription as a test watches it: the messages so far, and whether (and why) it ended. */
export interface LiveSubscription {
  messages: LiveMessage[];
  /** Resolves when the server completed the subscription (or the connection ended). */
  ended: Promise<void>;
  /** The HTTP status of the SSE answer (0 over WebSocket). */
  status: number;
  /** The `count`th message, or throws after `timeoutMs`. */
  nth(count: number, timeoutMs?: number): Promise<LiveMessage>;
  /** The first message that satisfies `wanted`, or throws after `timeoutMs`. */
  until(wanted: (message: LiveMessage) => boolean, timeoutMs?: number): Promise<LiveMessage>;
  close(): void;
}

function watch(messages: LiveMessage[]) {
  const waiters: (() => void)[] = [];
  return {
    push(message: LiveMessage) {
      messages.push(message);
      for (const wake of waiters.splice(0)) wake();
    },
    nth(count: number, timeoutMs = 10_000): Promise<LiveMessage> {
      return this.until((message) => messages.indexOf(message) === count - 1, timeoutMs);
    },
    async until(wanted: (message: LiveMessage) => boolean, timeoutMs = 10_000): Promise<LiveMessage> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(wanted);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no such message within ${timeoutMs} ms (got ${messages.length})`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}

/** A subscription over Server-Sent Events (GraphQL over SSE, "distinct connections" mode), as curl would open it. */
export async function subscribeSse(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<LiveSubscription> {
  const abort = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const messages: LiveMessage[] = [];
  const watcher = watch(messages);
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const type = /^event: (.*)$/m.exec(event)?.[1];
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (type === 'complete') return;
          if (data) watcher.push(JSON.parse(data));
        }
      }
    } catch {
      // aborted by close(), or the connection dropped: the subscription has ended either way
    }
  })();
  return {
    messages,
    ended,
    status: response.status,
    nth: watcher.nth,
    until: watcher.until,
    close: () => abort.abort(),
  };
}

/** A subscription over graphql-ws (the `graphql-transport-ws` protocol), signed in with the connection payload. */
export function subscribeWs(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): LiveSubscription {
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
  const messages: LiveMessage[] = [];
  const watcher = watch(messages);
  let stop = () => {};
  const ended = new Promise<void>((resolve) => {
    stop = client.subscribe(
      { query, variables },
      {
        next: (message) => watcher.push(message as LiveMessage),
        error: (error) => {
          // graphql-ws reports refused operations as a list of GraphQL errors
          if (Array.isArray(error)) watcher.push({ errors: error });
          resolve();
        },
        complete: () => resolve(),
      },
    );
  }).finally(() => client.dispose());
  return { messages, ended, status: 0, nth: watcher.nth, until: watcher.until, close: () => stop() };
}
