import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';

/**
 * The embedded default: PGlite (Postgres compiled to WASM) behind a Postgres wire-protocol
 * socket, so every service connects with its ordinary postgres:// URL and no server install is
 * needed. PGlite is single-connection; the socket server multiplexes clients onto it and keeps
 * a transaction's statements together, so pools must stay small.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; maxConnections?: number }) {
  mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({
    db,
    port: options.port,
    host: '127.0.0.1',
    maxConnections: options.maxConnections ?? 64,
  });
  keepExtendedQueriesTogether(server, db);
  await server.start();
  // After start() the server knows the real port, also when 0 asked the OS to choose one.
  const port = (server as unknown as { port: number }).port;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * The socket server queues wire-protocol messages one by one and keeps a client's messages
 * together only inside a transaction. postgres.js sends every query as an extended-protocol
 * sequence (Parse, Bind, Describe, Execute … Sync) that shares the session's unnamed portal, so
 * two clients' sequences interleaving on the single PGlite session break each other under load.
 * This treats "between Parse/Bind and Sync" like "in a transaction": the queue then serves that
 * client until its Sync. Hand-written because the library exposes no option for it; it relies
 * on the queue manager reading `db.isInTransaction()` and calling `db.execProtocolRawStream`.
 */
function keepExtendedQueriesTogether(server: PGLiteSocketServer, db: PGlite) {
  const queue = (server as unknown as { queryQueue?: { db: PGlite } }).queryQueue;
  if (!queue || typeof db.execProtocolRawStream !== 'function') return; // library changed: run as it is
  let midSequence = false;
  const SYNC = 0x53; // 'S'
  const SIMPLE_QUERY = 0x51; // 'Q'
  const TERMINATE = 0x58; // 'X'
  const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]); // 'P' 'B' 'D' 'E' 'C' 'H'
  queue.db = new Proxy(db, {
    get(target, property) {
      if (property === 'isInTransaction') return () => midSequence || target.isInTransaction();
      if (property === 'execProtocolRawStream') {
        return (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          const type = message[0];
          if (type !== undefined && EXTENDED.has(type)) midSequence = true;
          else if (type === SYNC || type === SIMPLE_QUERY || type === TERMINATE) midSequence = false;
          return target.execProtocolRawStream(message, options);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
