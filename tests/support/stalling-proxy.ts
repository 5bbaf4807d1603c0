import type { Socket } from 'bun';

/**
 * A TCP proxy on loopback in front of `target` whose open connections can be made to go silent.
 * `stall()` makes every connection open at that moment swallow what either side sends, without
 * closing it: what a client sees when its peer vanished without a word (a dropped route, a NAT
 * entry forgotten, a host gone during a failover). Connections made afterwards work as usual.
 */
export interface StallingProxy {
  port: number;
  stall(): void;
  stop(): void;
}

interface Pair {
  client: Socket<Pair>;
  upstream?: Socket<Pair>;
  /** Client bytes that arrived before the upstream connection was open. */
  pending: Uint8Array[];
  stalled: boolean;
}

export function startStallingProxy(target: { host: string; port: number }): StallingProxy {
  const pairs = new Set<Pair>();
  const server = Bun.listen<Pair>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(client) {
        const pair: Pair = { client, pending: [], stalled: false };
        client.data = pair;
        pairs.add(pair);
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
            data(_upstream, data) {
              if (!pair.stalled) client.write(data);
            },
            close() {
              client.end();
            },
            error() {
              client.end();
            },
          },
        }).catch(() => client.end());
      },
      data(client, data) {
        const pair = client.data;
        if (pair.stalled) return;
        if (pair.upstream) pair.upstream.write(data);
        else pair.pending.push(new Uint8Array(data)); // Bun reuses the buffer after the callback
      },
      close(client) {
        pairs.delete(client.data);
        client.data.upstream?.end();
      },
      error(client) {
        pairs.delete(client.data);
        client.data.upstream?.end();
      },
    },
  });
  return {
    port: server.port,
    stall() {
      for (const pair of pairs) pair.stalled = true;
    },
    stop: () => server.stop(true),
  };
}
