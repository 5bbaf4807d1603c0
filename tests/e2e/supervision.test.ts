import { afterAll, afterEach, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, gql } from '../support/graphql';
import { createTempDatabase } from '../support/temp-database';

/**
 * `bun start` supervises its services: `kill -9` the offers subgraph and the gateway keeps serving
 * what the others own while offers comes back on its port; a crash loop stops everything with
 * exit code 1; SIGTERM stops everything and restarts nothing. Real processes on ephemeral ports
 * and a fresh database on the machine's PostgreSQL.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'autograph-supervision-'));
const database = await createTempDatabase('supervision');
let launcher: Launcher | undefined;

afterEach(async () => {
  if (launcher && launcher.process.exitCode === null) {
    launcher.process.kill('SIGTERM');
    await launcher.process.exited;
  }
  launcher = undefined;
});
afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Launcher {
  process: Bun.Subprocess<'ignore', 'pipe', 'pipe'>;
  gatewayUrl: string;
  /** Pids from the launcher's `<service> listening on <url> (pid <n>)` lines. */
  pids: Record<string, number>;
  urls: Record<string, string>;
  stdout(): string;
  finished(): Promise<{ code: number; stdout: string; stderr: string }>;
}

async function start(env: Record<string, string> = {}): Promise<Launcher> {
  const childEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SUPERGRAPH_POLL_INTERVAL_MS: '1000',
    ...env,
  };
  delete childEnv.REDIS_URL;
  delete childEnv.REGISTRY_TOKEN;
  for (const name of ['GATEWAY', 'REGISTRY', 'CATALOG', 'OFFERS', 'USERS', 'REVIEWS', 'SEARCH'])
    childEnv[`${name}_PORT`] = '0';
  const child = Bun.spawn(['bun', 'start'], { env: childEnv, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  const decoder = new TextDecoder();
  let stdout = '';
  const reading = (async () => {
    for await (const chunk of child.stdout) stdout += decoder.decode(chunk, { stream: true });
  })();
  const stderr = new Response(child.stderr).text();
  const deadline = Date.now() + 240_000;
  while (!stdout.includes('Autograph is up') && child.exitCode === null && Date.now() < deadline) await Bun.sleep(100);
  const gatewayUrl = /gateway\s+(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(stdout)?.[1];
  if (!gatewayUrl) throw new Error(`bun start did not come up:\n${stdout}\n${await stderr}`);
  const pids: Record<string, number> = {};
  const urls: Record<string, string> = {};
  for (const [, name, url, pid] of stdout.matchAll(/\[start\] (\w+) listening on (\S+) \(pid (\d+)\)/g)) {
    pids[name!] = Number(pid);
    urls[name!] = url!;
  }
  return {
    process: child,
    gatewayUrl,
    pids,
    urls,
    stdout: () => stdout,
    finished: async () => ({ code: await child.exited, stdout: (await reading, stdout), stderr: await stderr }),
  };
}

async function waitFor(launcher: Launcher, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(launcher.stdout());
    if (match) return match;
    await Bun.sleep(50);
  }
  throw new Error(`bun start never printed ${pattern}:\n${launcher.stdout()}`);
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('kill -9 offers: the gateway keeps serving the rest, offers comes back on its port; SIGTERM then stops everything', async () => {
  launcher = await start();
  const { gatewayUrl, pids, urls } = launcher;
  expect(Object.keys(pids).sort()).toEqual(['catalog', 'gateway', 'offers', 'registry', 'reviews', 'search', 'users']);
  const before = await gql(gatewayUrl, '{ makes { id name } offers(first: 2) { edges { node { id title } } } }');
  expect(before.errors).toBeUndefined();

  process.kill(pids.offers!, 'SIGKILL');
  // While offers is down the gateway still answers what catalog owns.
  const partial = await gql(gatewayUrl, '{ makes { id name } }');
  expect(partial.errors).toBeUndefined();
  expect(partial.data.makes.length).toBeGreaterThan(0);

  const restarted = await waitFor(launcher, /\[start\] offers restarted \(attempt 1\) on (\S+), pid (\d+)/);
  expect(restarted[1]).toBe(urls.offers!);
  expect(launcher.stdout()).toMatch(
    /\[start\] offers crashed \(signal SIGKILL\) after [\d.]+ s; restart attempt 1 in 0\.5 s \(crashes within 60 s: 1 of 5\)/,
  );
  const served = await eventually(async () => {
    const response = await gql(gatewayUrl, '{ makes { id } offers(first: 2) { edges { node { id title } } } }');
    return response.errors ? undefined : response.data;
  }, 20_000);
  expect(served.offers.edges).toHaveLength(2);
  for (const name of ['registry', 'users', 'catalog', 'search', 'reviews', 'gateway'])
    expect(isAlive(pids[name]!)).toBe(true);

  launcher.process.kill('SIGTERM');
  const { code, stdout } = await launcher.finished();
  expect(code).toBe(0);
  expect(stdout.slice(stdout.indexOf('[start] stopping…'))).not.toMatch(/crashed|restarted/);
  const everyPid = [...Object.values(pids), Number(restarted[2])];
  expect(everyPid.filter(isAlive)).toEqual([]);
}, 300_000);

test('offers crashing in a loop: bun start stops everything and exits 1, naming it', async () => {
  launcher = await start({ CRASH_LOOP_MAX_CRASHES: '3', SEED_SCALE: 'none' });
  const pids: number[] = [...Object.values(launcher.pids)];
  let offers = launcher.pids.offers!;
  for (let crash = 1; crash <= 3; crash++) {
    process.kill(offers, 'SIGKILL');
    if (crash === 3) break;
    offers = Number(
      (await waitFor(launcher, new RegExp(`offers restarted \\(attempt ${crash}\\) on \\S+, pid (\\d+)`)))[1],
    );
    pids.push(offers);
  }
  const { code, stderr } = await launcher.finished();
  expect(code).toBe(1);
  expect(stderr).toContain(
    '[start] offers crashed 3 times within 60 s; giving up. Last: signal SIGKILL\nStopping everything (CRASH_LOOP_MAX_CRASHES=3 crashes of one service within CRASH_LOOP_WINDOW_MS=60000 stop the system).',
  );
  expect(pids.filter(isAlive)).toEqual([]);
}, 300_000);
