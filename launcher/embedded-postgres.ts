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
