import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subprocess } from 'bun';

/**
 * Everything the fault suite starts: servers in their own process groups, temporary directories,
 * and anything else to undo. `release()` undoes all of it, last first, whatever failed before; it
 * also runs on SIGINT/SIGTERM, so an interrupted run leaves no process or directory behind.
 */
export class Resources {
  private readonly undo: { what: string; run: () => Promise<void> | void }[] = [];
  private releasing: Promise<void> | undefined;

  constructor(options: { handleSignals?: boolean } = {}) {
    if (options.handleSignals === false) return;
    const onSignal = (signal: NodeJS.Signals) => {
      console.error(`[chaos] ${signal}: stopping everything the suite started`);
      void this.release().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  defer(what: string, run: () => Promise<void> | void) {
    this.undo.push({ what, run });
  }

  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `autograph-chaos-${prefix}-`));
    this.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** A long-running server in its own process group, killed with its group at release. */
  daemon(name: string, command: string[]): Daemon {
    // Servers here log to files in their temporary directories; pipes nobody reads would fill up.
    const process = Bun.spawn(command, { detached: true, stdout: 'ignore', stderr: 'ignore' });
    const daemon = new Daemon(name, process);
    this.defer(`kill ${name}`, () => daemon.kill('SIGKILL'));
    return daemon;
  }

  /** Undoes everything once; a second caller (signal handler and normal end alike) waits for the same. */
  release(): Promise<void> {
    this.releasing ??= this.undoAll();
    return this.releasing;
  }

  private async undoAll() {
    for (const { what, run } of this.undo.reverse()) {
      try {
        await run();
      } catch (error) {
        console.error(`[chaos] cleanup "${what}" failed: ${(error as Error).message}`);
      }
    }
  }
}

export class Daemon {
  constructor(
    readonly name: string,
    readonly process: Subprocess,
  ) {}

  get pid() {
    return this.process.pid;
  }

  get running() {
    return this.process.exitCode === null && !this.process.signalCode;
  }

  /** Signals the whole process group (a server's own children go too). */
  async kill(signal: NodeJS.Signals) {
    if (!this.running) return;
    try {
      process.kill(-this.process.pid, signal);
    } catch {
      this.process.kill(signal);
    }
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await this.process.exited;
  }
}

export { freePort } from '../../../kit/ports';

/** Runs a command to completion; throws with its output when it fails. */
export async function run(command: string[], options: { cwd?: string } = {}): Promise<string> {
  const child = Bun.spawn(command, { cwd: options.cwd, stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`${command.join(' ')} exited with ${code}: ${(err || out).slice(-800)}`);
  return out;
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return true;
    } catch {}
    await Bun.sleep(everyMs);
  }
  return false;
}
