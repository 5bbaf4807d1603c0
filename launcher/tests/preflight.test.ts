import { expect, test } from 'bun:test';
import { checkPostgres, checkRedis } from '../preflight';

/** A port nothing listens on: bind one, note it, close it. */
function closedPort(): number {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

test('a refused DATABASE_URL is named in plain words', async () => {
  const url = `postgres://postgres@127.0.0.1:${closedPort()}/autograph`;
  await expect(checkPostgres(url)).rejects.toThrow(`DATABASE_URL points to ${url}, which refused the connection`);
});

test('a missing database is named as such', async () => {
  await expect(checkPostgres('postgres://postgres@127.0.0.1:5432/no_such_database_here')).rejects.toThrow(
    'that database does not exist',
  );
});

test('passwords never appear in the message', async () => {
  const error = await checkPostgres(`postgres://postgres:s3cret@127.0.0.1:${closedPort()}/x`).catch((e) => e);
  expect(error.message).not.toContain('s3cret');
  expect(error.message).toContain('***');
});

test('a refused REDIS_URL is named; a working one passes', async () => {
  const url = `redis://127.0.0.1:${closedPort()}`;
  await expect(checkRedis({ url })).rejects.toThrow(`REDIS_URL points to ${url}, which refused the connection`);
  await checkRedis({ url: 'redis://127.0.0.1:6379' });
});

test('sentinels nobody answers on are named as REDIS_SENTINELS', async () => {
  const port = closedPort();
  const error = await checkRedis({
    url: 'redis://:s3cret@primary',
    sentinel: { name: 'autograph', nodes: [{ host: '127.0.0.1', port }] },
  }).catch((e) => e);
  expect(error.message).toStartWith(`REDIS_SENTINELS points to sentinels 127.0.0.1:${port} (group autograph), `);
  expect(error.message).not.toContain('s3cret');
});
