import type { Socket } from 'bun';

/**
 * A TCP proxy on loopback that can make one upstream slow: every chunk the upstream sends back
 * is held for `latencyMs` before the client gets it (in order). Placed between the gateway and one
 * subgraph (the registry routes that subgraph through it), it adds latency without touching the
 * subgraph's process.
 */
export interface FaultProxy {
  url: string;
  port: number;
  setLatency(ms: number): void;
  stop(): void;
}

interface Pair {
  upstream?: Socket<Pair>;
  /** Client bytes that arrived before the upstream connection was open. */
  pending: Uint8Array[];
  /** When the last delayed chunk to the client is due: later chunks never overtake it. */
  lastDueAt: number;
  client: Socket<Pair>;
}

export function startFaultProxy(target: { host: string; port: number }): FaultProxy {
  let latencyMs = 0;
  const toClient = (pair: Pair, data: Uint8Array) => {
    if (latencyMs === 0 && pair.lastDueAt <= Date.now()) {
      pair.client.write(data);
      return;
    }
    const copy = new Uint8Array(data); // Bun reuses the buffer after the callback
    pair.lastDueAt = Math.max(Date.now() + latencyMs, pair.lastDueAt);
    setTimeout(() => pair.client.write(copy), pair.lastDueAt - Date.now());
  };

  const server = Bun.listen<Pair>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(client) {
        const pair: Pair = { pending: [], lastDueAt: 0, client };
        client.data = pair;
        Bun.connect<Pair>({
          hostname: target.host,
          port: target.port,
          data: pair,
          socket: {
            open(upstream) {
              pair.upstream = upstream;
              for (const chunk of pair.pending) upstream.write(chunk);
              pair.pending = [];
            },
            data: (_upstream, data) => toClient(pair, data),
            close: () => {
              setTimeout(() => client.end(), Math.max(0, pair.lastDueAt - Date.now()));
            },
            error: () => {
              client.end();
            },
          },
        }).catch(() => client.end());
      },
      data(client, data) {
        if (client.data.upstream) client.data.upstream.write(data);
        else client.data.pending.push(new Uint8Array(data));
      },
      close(client) {
        client.data.upstream?.end();
      },
      error(client) {
        client.data.upstream?.end();
      },
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    stop: () => server.stop(true),
  };
}
