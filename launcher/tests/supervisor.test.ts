import { afterAll, afterEach, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Supervisor, type RestartPolicy, type ServiceSpec, type SupervisedService } from '../../kit/supervisor';

/** Real processes throughout: tests/fixtures/service.ts stands in for a service, launcher.ts for `bun start`. */
const SERVICE = fileURLToPath(new URL('./fixtures/service.ts', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('./fixtures/launcher.ts', import.meta.url));
const FAST: Partial<RestartPolicy> = { initialDelayMs: 100, maxDelayMs: 400, maxCrashes: 50, crashWindowMs: 60_000 };
const scratch = mkdtempSync(join(tmpdir(), 'autograph-supervisor-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const supervisor of supervisors) await supervisor.stop();
  supervisors = [];
});

function supervisor(policy: Partial<RestartPolicy> = FAST) {
  const lines: string[] = [];
  const created = new Supervisor({ policy, log: (line) => lines.push(line) });
  supervisors.push(created);
  return { supervisor: created, lines };
}

const spec = (
  name: string,
  extra: Partial<ServiceSpec> & { env?: () => Record<string, string | undefined> } = {},
): ServiceSpec => ({
  name,
  entry: [SERVICE],
  portVariable: 'PORT',
  port: 0,
  ...extra,
  env: () => ({ NAME: name, ...extra.env?.() }),
});

/** Who answers at `url` now: `{ name, pid }`, or undefined when nothing does. */
async function whoAnswers(url: string): Promise<{ name: string; pid: number } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return (await response.json()) as { name: string; pid: number };
  } catch {
    return undefined;
  }
}

async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A port nothing listens on: bind one, note it, close it. */
function freePort(): number {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** Binds `port` as soon as the process that held it has let go of it. */
async function occupy(port: number) {
  return until(`port ${port} to be free`, () => {
    try {
      return Bun.listen({ hostname: '127.0.0.1', port, socket: { data() {} } });
    } catch {
      return undefined;
    }
  });
}

describe('a crashed child is restarted while the others keep serving', () => {
  test('SIGKILL: restarted on the same port (configured and ephemeral), logged; the other answers throughout', async () => {
    const { supervisor: s, lines } = supervisor();
    const fixedPort = freePort();
    const steady = await s.start(spec('steady'));
    const fixed = await s.start(spec('fixed', { port: fixedPort }));
    const ephemeral = await s.start(spec('ephemeral'));
    expect(fixed.url).toBe(`http://127.0.0.1:${fixedPort}`);

    for (const service of [fixed, ephemeral]) {
      const { url, pid: before } = service;
      let steadyFailures = 0;
      let watching = true;
      const watch = (async () => {
        while (watching) {
          if ((await whoAnswers(steady.url))?.name !== 'steady') steadyFailures++;
          await Bun.sleep(20);
        }
      })();
      process.kill(before!, 'SIGKILL');
      const after = await until(`${service.name} to serve again`, async () => {
        const answer = await whoAnswers(url);
        return answer && answer.pid !== before ? answer : undefined;
      });
      watching = false;
      await watch;
      expect(after.name).toBe(service.name);
      expect(service.url).toBe(url);
      expect(service.pid).toBe(after.pid);
      expect(isAlive(before!)).toBe(false);
      expect(steadyFailures).toBe(0);
      expect(lines).toContain(`${service.name} restarted (attempt 1) on ${url}, pid ${after.pid}`);
      expect(
        lines.some(
          (line) =>
            line.startsWith(`${service.name} crashed (signal SIGKILL) after `) &&
            line.endsWith('; restart attempt 1 in 0.1 s (crashes within 60 s: 1 of 50)'),
        ),
      ).toBe(true);
    }
  }, 60_000);

  test('the backoff doubles up to its ceiling and starts over after a stable run', async () => {
    const { supervisor: s, lines } = supervisor({ ...FAST, stableAfterMs: 2_000 });
    const flaky = await s.start(spec('flaky'));
    const delays = () =>
      lines
        .filter((line) => line.startsWith('flaky crashed'))
        .map((line) => /restart attempt (\d+) in ([\d.]+ s)/.exec(line)!.slice(1).join(' '));
    for (let crash = 1; crash <= 4; crash++) {
      const pid = await until('flaky to run', () => flaky.pid);
      await whoAnswers(flaky.url);
      process.kill(pid, 'SIGKILL');
      await until('the restart', () => flaky.pid !== undefined && flaky.pid !== pid);
    }
    expect(delays()).toEqual(['1 0.1 s', '2 0.2 s', '3 0.4 s', '4 0.4 s']);
    await Bun.sleep(2_100); // a stable run
    process.kill(flaky.pid!, 'SIGKILL');
    await until('the fifth crash', () => delays().length === 5);
    expect(delays()[4]).toBe('1 0.1 s');
  }, 60_000);
});

describe('a crash loop makes the supervisor give up', () => {
  test('a child that keeps crashing: gave up after maxCrashes within the window, never restarted again', async () => {
    const { supervisor: s, lines } = supervisor({ ...FAST, maxCrashes: 3, crashWindowMs: 20_000 });
    const steady = await s.start(spec('steady'));
    await s.start(spec('flaky', { env: () => ({ CRASH_AFTER_MS: '50' }) }));
    const loop = await s.gaveUp;
    expect(loop).toMatchObject({ service: 'flaky', crashes: 3, windowMs: 20_000, lastExit: 'exit code 1' });
    expect(loop.message).toBe('flaky crashed 3 times within 20 s; giving up. Last: exit code 1');
    expect(lines.filter((line) => line.startsWith('flaky restarted'))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(
      /^flaky crashed \(exit code 1\) after [\d.]+ s; that is 3 crashes within 20 s: a crash loop, not restarting it$/,
    );
    await Bun.sleep(600);
    expect(lines.filter((line) => line.startsWith('flaky restarted'))).toHaveLength(2);
    // Giving up stops nothing by itself: the launcher does, on `gaveUp`.
    expect((await whoAnswers(steady.url))?.name).toBe('steady');
  }, 60_000);

  test("restarts that fail to start count as crashes; the last one is explained with the child's own words", async () => {
    const { supervisor: s, lines } = supervisor({ ...FAST, maxCrashes: 3 });
    const marker = join(scratch, 'refuse-to-start');
    const flaky = await s.start(spec('flaky', { env: () => ({ FAIL_START_IF_EXISTS: marker }) }));
    writeFileSync(marker, '');
    process.kill(flaky.pid!, 'SIGKILL');
    const loop = await s.gaveUp;
    rmSync(marker);
    expect(loop.crashes).toBe(3);
    expect(loop.lastExit).toStartWith('failed to start: flaky exited with exit code 2');
    expect(loop.message).toContain(`flaky: refusing to start (${marker} exists)`);
    expect(
      lines.filter((line) => line.startsWith('flaky failed to restart (exited with exit code 2); restart attempt')),
    ).toHaveLength(1);
  }, 60_000);

  test('a restart that does not announce itself in time counts as one crash, its process stopped', async () => {
    const lines: string[] = [];
    const s = new Supervisor({ policy: FAST, log: (line) => lines.push(line), startTimeoutMs: 1_000 });
    supervisors.push(s);
    const marker = join(scratch, 'stay-silent');
    const slow = await s.start(spec('slow', { env: () => ({ SILENT_IF_EXISTS: marker }) }));
    const { url, pid } = slow;
    writeFileSync(marker, '');
    process.kill(pid!, 'SIGKILL');
    await until('a restart to time out', () => lines.find((line) => line.startsWith('slow failed to restart')), 10_000);
    rmSync(marker);
    await until('slow to serve again', async () => (await whoAnswers(url))?.name === 'slow' && slow.pid !== undefined);
    await Bun.sleep(300);
    expect(lines.map((line) => line.replace(/after [\d.]+ s/, 'after …').replace(/pid \d+/, 'pid …'))).toEqual([
      'slow crashed (signal SIGKILL) after …; restart attempt 1 in 0.1 s (crashes within 60 s: 1 of 50)',
      'slow failed to restart (did not start within 1 s); restart attempt 2 in 0.2 s (crashes within 60 s: 2 of 50)',
      `slow restarted (attempt 2) on ${url}, pid …`,
    ]);
  }, 30_000);
});

describe('a restart keeps the port an ephemeral start was given', () => {
  test('taken meanwhile: a service that may move comes back on another port and says so; one that may not waits for it', async () => {
    const { supervisor: s, lines } = supervisor({ ...FAST, initialDelayMs: 300 });
    const moves: [string, string][] = [];
    const mover = await s.start(spec('mover', { onMoved: async (url, previous) => void moves.push([url, previous]) }));
    const stayer = await s.start(spec('stayer'));

    const moverPort = Number(new URL(mover.url).port);
    const moverPid = mover.pid!;
    process.kill(moverPid, 'SIGKILL');
    const squatter = await occupy(moverPort);
    const moved = await until('mover to move', () => moves[0]);
    squatter.stop(true);
    expect(moved).toEqual([mover.url, `http://127.0.0.1:${moverPort}`]);
    expect(mover.url).not.toBe(`http://127.0.0.1:${moverPort}`);
    expect((await whoAnswers(mover.url))?.name).toBe('mover');
    expect(lines).toContain(
      `mover: port ${moverPort}, which it had, has been taken by another process; restarting it on any free port`,
    );

    const stayerUrl = stayer.url;
    const stayerPid = stayer.pid!;
    process.kill(stayerPid, 'SIGKILL');
    const blocker = await occupy(Number(new URL(stayerUrl).port));
    await until('a failed restart', () => lines.find((line) => line.startsWith('stayer failed to restart')));
    blocker.stop(true);
    const back = await until('stayer to serve again', async () => {
      const answer = await whoAnswers(stayerUrl);
      return answer?.name === 'stayer' ? answer : undefined;
    });
    expect(back.pid).not.toBe(stayerPid);
    expect(stayer.url).toBe(stayerUrl);
  }, 60_000);
});

describe('stopping', () => {
  test('stop() during a backoff: the pending restart is cancelled, every child is gone, nothing comes back', async () => {
    const { supervisor: s, lines } = supervisor({ ...FAST, initialDelayMs: 500 });
    const steady = await s.start(spec('steady'));
    const flaky = await s.start(spec('flaky'));
    const pids = [steady.pid!, flaky.pid!];
    process.kill(flaky.pid!, 'SIGKILL');
    await until('the crash to be noticed', () => lines.find((line) => line.startsWith('flaky crashed')));
    await s.stop();
    expect(pids.map(isAlive)).toEqual([false, false]);
    await Bun.sleep(800);
    expect(lines.filter((line) => line.includes('restarted'))).toEqual([]);
    expect(flaky.pid).toBeUndefined();
    await expect(s.start(spec('late'))).rejects.toThrow('late was not started: the system is stopping');
  }, 30_000);

  test('a child that exits while the others are being stopped is not restarted', async () => {
    const { supervisor: s, lines } = supervisor();
    const first = await s.start(spec('first'));
    await s.start(spec('second'));
    const stopping = s.stop(); // stops `second` first, then `first`
    process.kill(first.pid!, 'SIGKILL');
    await stopping;
    await Bun.sleep(300);
    expect(lines).toEqual([]);
  }, 30_000);
});

describe('a launcher process (the real supervisor and shutdown.ts, stand-in services)', () => {
  async function launch(env: Record<string, string> = {}) {
    const child = Bun.spawn(['bun', LAUNCHER], {
      env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const decoder = new TextDecoder();
    let stdout = '';
    const reading = (async () => {
      for await (const chunk of child.stdout) stdout += decoder.decode(chunk, { stream: true });
    })();
    const stderr = new Response(child.stderr).text();
    const ready = await until('the launcher to be ready', () => {
      const line = /^ready (.*)$/m.exec(stdout)?.[1];
      return line
        ? (JSON.parse(line) as Record<'steady' | 'flaky', Pick<SupervisedService, 'url' | 'pid'>>)
        : undefined;
    });
    return {
      child,
      ready,
      output: () => stdout,
      finished: async () => {
        const code = await child.exited;
        await reading;
        return { code, stdout, stderr: await stderr };
      },
    };
  }

  test('SIGKILL to a child: restarted, serving again; SIGTERM to the launcher then stops every child, exit 0, nothing restarted', async () => {
    const launcher = await launch();
    const { flaky, steady } = launcher.ready;
    process.kill(flaky.pid!, 'SIGKILL');
    const back = await until('flaky to serve again', async () => {
      const answer = await whoAnswers(flaky.url);
      return answer && answer.pid !== flaky.pid ? answer : undefined;
    });
    expect((await whoAnswers(steady.url))?.pid).toBe(steady.pid!);

    launcher.child.kill('SIGTERM');
    const { code, stdout, stderr } = await launcher.finished();
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect([steady.pid!, back.pid].map(isAlive)).toEqual([false, false]);
    const afterStop = stdout.slice(stdout.indexOf('[launcher] stopping…'));
    expect(afterStop).not.toContain('crashed');
    expect(afterStop).not.toContain('restarted');
    expect(stdout.match(/restarted/g)).toHaveLength(1);
  }, 60_000);

  test('SIGTERM to the launcher mid-way through a crash loop: exits 0, every child gone, nothing restarted after', async () => {
    const launcher = await launch({ FLAKY_CRASH_AFTER_MS: '150', MAX_CRASHES: '100' });
    await until('a restart', () => launcher.output().includes('flaky restarted'));
    launcher.child.kill('SIGTERM');
    const { code, stdout } = await launcher.finished();
    expect(code).toBe(0);
    expect(stdout.slice(stdout.indexOf('[launcher] stopping…'))).not.toContain('restarted');
    expect(isAlive(launcher.ready.steady.pid!)).toBe(false);
    const flakyPids = [...stdout.matchAll(/\[flaky\] flaky listening on \S+, pid (\d+)/g)].map((match) =>
      Number(match[1]),
    );
    expect(flakyPids.filter(isAlive)).toEqual([]);
  }, 60_000);

  test('a crash loop: the launcher stops everything and exits 1, saying which child and why', async () => {
    const launcher = await launch({ FLAKY_CRASH_AFTER_MS: '100', MAX_CRASHES: '3' });
    const { code, stderr } = await launcher.finished();
    expect(code).toBe(1);
    expect(stderr).toBe(
      '[launcher] flaky crashed 3 times within 30 s; giving up. Last: exit code 1\nStopping everything.\n',
    );
    expect(isAlive(launcher.ready.steady.pid!)).toBe(false);
  }, 60_000);
});
