import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectDatabase, migrateDatabase } from '../db';
import { freePort } from '../ports';
import { startOwnPostgres, type OwnPostgres } from '../../tests/support/own-postgres';
import { selfSignedCertificate } from '../../tests/support/tls';

/**
 * TLS in transit: PostgreSQL URLs take libpq's `sslmode` (postgres.js reads it: `require` encrypts,
 * `verify-full` also checks the certificate against Node's CA store, extended with
 * NODE_EXTRA_CA_CERTS), and `rediss://` Redis URLs connect over TLS (kit/redis.ts). Checked
 * against servers of this test's own with a self-signed certificate.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
let postgres: OwnPostgres & { certificate?: string };
let redis: { port: number; certificate: string; stop(): void };

beforeAll(async () => {
  postgres = await startOwnPostgres({ tls: true });
  const dir = mkdtempSync(join(tmpdir(), 'autograph-redis-tls-'));
  const { cert, key } = selfSignedCertificate(dir);
  const port = await freePort();
  const server = Bun.spawn(
    [
      'redis-server',
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      cert,
      '--tls-key-file',
      key,
      '--tls-ca-cert-file',
      cert,
      '--tls-auth-clients',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdout: 'ignore', stderr: 'ignore' },
  );
  redis = {
    port,
    certificate: cert,
    stop: () => {
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Listening once a TCP connection is accepted.
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await Bun.sleep(50)) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      }).on('error', () => resolve(false));
    });
    if (open) break;
  }
}, 60_000);

afterAll(async () => {
  redis?.stop();
  await postgres?.destroy();
});

/** Runs `code` in a fresh Bun process (NODE_EXTRA_CA_CERTS is read at start), from the repository root. */
async function probe(code: string, env: Record<string, string> = {}): Promise<string> {
  const child = Bun.spawn(['bun', '-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [exit, out, err] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return exit === 0 ? out.trim() : `failed: ${err.replace(/\s+/g, ' ')}`;
}

const sslOf = async (url: string) => {
  const database = connectDatabase({ url, service: 'tls-test', max: 1 }, {});
  try {
    const [row] = await database.sql`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
    return row!.ssl as boolean;
  } finally {
    await database.close();
  }
};

describe('PostgreSQL over TLS (sslmode in the URL)', () => {
  test('sslmode=require encrypts, sslmode=disable does not; migrations run over it too', async () => {
    expect(await sslOf(`${postgres.url()}?sslmode=require`)).toBe(true);
    expect(await sslOf(`${postgres.url()}?sslmode=disable`)).toBe(false);
    await migrateDatabase(
      `${postgres.url()}?sslmode=require`,
      'catalog',
      fileURLToPath(new URL('../../subgraphs/catalog/drizzle', import.meta.url)),
    );
  });

  test('sslmode=verify-full checks the certificate: refused untrusted, accepted with its CA', async () => {
    const url = `postgres://postgres@localhost:${postgres.port}/postgres?sslmode=verify-full`;
    const code = `import { connectDatabase } from './kit/db';
      const db = connectDatabase({ url: ${JSON.stringify(url)}, service: 'tls-probe', max: 1 }, {});
      const [row] = await db.sql\`select ssl from pg_stat_ssl where pid = pg_backend_pid()\`;
      console.log(row.ssl); await db.close();`;
    expect(await probe(code)).toMatch(/^failed: .*(self[- ]signed|certificate)/i);
    expect(await probe(code, { NODE_EXTRA_CA_CERTS: postgres.certificate! })).toBe('true');
  });
});

describe('Redis over TLS (rediss://)', () => {
  test('kit/redis connects to a TLS-only server, verifying its certificate', async () => {
    const url = `rediss://localhost:${redis.port}`;
    const code = `import Redis from 'ioredis';
      import { redisOptions } from './kit/redis';
      const client = new Redis(redisOptions({ url: ${JSON.stringify(url)} }, { maxRetriesPerRequest: 1, retryStrategy: () => null }));
      let last = null;
      client.on('error', (error) => { last = error; });
      try { console.log(await client.ping()); }
      catch (error) { console.error(String(last?.message ?? error)); process.exitCode = 1; }
      finally { client.disconnect(); }`;
    expect(await probe(code, { NODE_EXTRA_CA_CERTS: redis.certificate })).toBe('PONG');
    expect(await probe(code)).toMatch(/^failed: .*(self[- ]signed|certificate)/i);
    // The same server refuses a client that does not speak TLS.
    expect(await probe(code.replace('rediss://', 'redis://'))).toMatch(/^failed/);
  }, 30_000);
});
