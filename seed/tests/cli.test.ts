import { expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
async function run(args: string[], env: Record<string, string | undefined>) {
  const child = Bun.spawn(['bun', cli, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  return { code, stderr };
}

test('usage errors exit 2 with a message; an unreachable database exits 1 naming it', async () => {
  const missing = await run([], {});
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('DATABASE_URL is not set');

  const badScale = await run(['--scale', 'huge'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' });
  expect(badScale.code).toBe(2);
  expect(badScale.stderr).toContain('scale must be one of small, large');

  const refused = await run([], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/autograph' });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(
    'DATABASE_URL points to postgres://postgres@127.0.0.1:1/autograph, which refused the connection',
  );
});
