import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../kit/ports';
import { selfSignedCertificate } from './tls';

/**
 * A PostgreSQL server of a test's own (initdb + pg_ctl in a temporary directory, on a free
 * loopback port), for tests that stop and start the database: the machine's shared server is
 * never stopped. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
const BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

async function run(args: string[]) {
  const command = asRoot ? ['runuser', '-u', 'postgres', '--', ...args] : args;
  const child = Bun.spawn(command, { stdout: 'pipe', stderr: 'pipe' });
  const [code, out, err] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}:\n${out}\n${err}`);
}

const idOf = (flag: '-u' | '-g') => Number(Bun.spawnSync(['id', flag, 'postgres']).stdout.toString().trim());

export interface OwnPostgres {
  port: number;
  /** URL of a database on this server (`postgres` unless named). */
  url(database?: string): string;
  start(): Promise<void>;
  /** Fast shutdown: sessions are ended (57P01), new connections refused. */
  stop(): Promise<void>;
  /** Stops the server and removes its files. */
  destroy(): Promise<void>;
}

/** `tls`: the server also accepts TLS, with a self-signed certificate for localhost (`certificate`). */
export async function startOwnPostgres(
  settings: { tls?: boolean } = {},
): Promise<OwnPostgres & { certificate?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-pg-'));
  const data = join(dir, 'data');
  const tls = settings.tls ? selfSignedCertificate(dir) : null;
  if (asRoot) {
    chownSync(dir, idOf('-u'), idOf('-g'));
    // PostgreSQL reads its key only when its own user owns it.
    if (tls) for (const file of [tls.cert, tls.key]) chownSync(file, idOf('-u'), idOf('-g'));
  }
  if (tls) chmodSync(tls.key, 0o600);
  const port = await freePort();
  await run([join(BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40${
    tls ? ` -c ssl=on -c ssl_cert_file=${tls.cert} -c ssl_key_file=${tls.key}` : ''
  }`;
  let running = false;
  const server: OwnPostgres & { certificate?: string } = {
    port,
    certificate: tls?.cert,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await run([join(BIN, 'pg_ctl'), '-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
      running = true;
    },
    async stop() {
      await run([join(BIN, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
