import { appendFileSync, chownSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { freePort, run, waitUntil, type Resources } from './processes';

const BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` account. */
const asOwner = (command: string[]) =>
  process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...command] : command;
const POSTGRES_UID = () => Number(readFileSync('/etc/passwd', 'utf8').match(/^postgres:x:(\d+):(\d+):/m)?.[1]);
const POSTGRES_GID = () => Number(readFileSync('/etc/passwd', 'utf8').match(/^postgres:x:(\d+):(\d+):/m)?.[2]);

/** One PostgreSQL server of the suite's own: its data directory, port, and ways to stop and start it. */
export class PostgresServer {
  constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly port: number,
  ) {}

  url(database = 'autograph') {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start() {
    await run(asOwner([`${BIN}/pg_ctl`, '-D', this.dataDir, '-l', join(this.dataDir, 'server.log'), '-w', 'start']));
  }

  /** `immediate` is a crash as far as the data is concerned: no checkpoint, recovery from WAL at the next start. */
  async stop(mode: 'fast' | 'immediate' = 'fast') {
    await run(asOwner([`${BIN}/pg_ctl`, '-D', this.dataDir, '-m', mode, '-w', 'stop'])).catch(() => {});
  }

  async isUp(): Promise<boolean> {
    const sql = postgres(this.url('postgres'), { max: 1, connect_timeout: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
}

function ownedDir(resources: Resources, prefix: string) {
  const dir = resources.tempDir(prefix);
  if (process.getuid?.() === 0) chownSync(dir, POSTGRES_UID(), POSTGRES_GID());
  return dir;
}

/**
 * A fresh primary in a temporary directory on a spare loopback port, with database `autograph`,
 * ready to stream to replicas. Never the machine's shared server: faults stop this one.
 */
export async function startPrimary(resources: Resources): Promise<PostgresServer> {
  const root = ownedDir(resources, 'pg-primary');
  const dataDir = join(root, 'data');
  await run(asOwner([`${BIN}/initdb`, '-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']));
  const port = await freePort();
  appendFileSync(
    join(dataDir, 'postgresql.conf'),
    `
port = ${port}
listen_addresses = '127.0.0.1'
unix_socket_directories = '${root}'
max_connections = 200
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_buffers = 64MB
`,
  );
  const server = new PostgresServer('postgres-primary', dataDir, port);
  resources.defer('stop postgres-primary', () => server.stop('immediate'));
  await server.start();
  const admin = postgres(server.url('postgres'), { max: 1, onnotice: () => {} });
  await admin.unsafe('create database autograph');
  await admin.end();
  return server;
}

/** A streaming replica of `primary` (pg_basebackup -R), on its own port. */
export async function startReplica(resources: Resources, primary: PostgresServer): Promise<PostgresServer> {
  const root = ownedDir(resources, 'pg-replica');
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) chownSync(dataDir, POSTGRES_UID(), POSTGRES_GID());
  await run(
    asOwner([
      `${BIN}/pg_basebackup`,
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      dataDir,
      '-R',
      '-X',
      'stream',
      // An immediate checkpoint: the default spreads it over minutes.
      '--checkpoint=fast',
    ]),
  );
  const port = await freePort();
  appendFileSync(join(dataDir, 'postgresql.auto.conf'), `port = ${port}\nunix_socket_directories = '${root}'\n`);
  const server = new PostgresServer('postgres-replica', dataDir, port);
  resources.defer('stop postgres-replica', () => server.stop('immediate'));
  await server.start();
  if (!(await waitUntil(() => server.isUp(), 30_000))) throw new Error('the replica did not accept connections');
  return server;
}
