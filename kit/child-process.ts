import type { Subprocess } from 'bun';
import type { ListeningMessage } from './service';

export interface Child {
  name: string;
  url: string;
  process: Subprocess;
}

/** How a child ended, for logs: `exit code 1`, `signal SIGKILL`. */
export function describeExit(code: number | null, signal: NodeJS.Signals | number | null): string {
  if (signal !== null && signal !== undefined) return `signal ${signal}`;
  return `exit code ${code}`;
}

/**
 * Spawns one service as its own Bun process and resolves once it announces (over IPC) the URL it
 * listens on; rejects with its last output lines if it exits or stays silent first, and (after
 * stopping the half-started child) when `signal` aborts.
 */
export function spawnService(options: {
  name: string;
  entry: string[];
  env: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Called when the child, once announced, exits: `signal` is set when a signal ended it. */
  onExit?: (name: string, code: number | null, signal: NodeJS.Signals | number | null) => void;
  output?: (name: string, line: string) => void;
  signal?: AbortSignal;
}): Promise<Child> {
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new Error(`${options.name} was not started: stopping`));
    let settled = false;
    let announced = false;
    const timer = setTimeout(
      () => fail(`did not start within ${(options.timeoutMs ?? 60_000) / 1000} s`),
      options.timeoutMs ?? 60_000,
    );
    const child = Bun.spawn(['bun', ...options.entry], {
      env: { ...process.env, ...options.env } as Record<string, string>,
      stdout: 'pipe',
      stderr: 'pipe',
      ipc(message: ListeningMessage) {
        if (message?.type === 'listening' && !settled) {
          settled = true;
          announced = true;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', abort);
          resolve({ name: options.name, url: message.url, process: child });
        }
      },
      onExit(_proc, code, signal) {
        if (!settled) fail(`exited with ${describeExit(code, signal)}`);
        else if (announced) options.onExit?.(options.name, code, signal); // not the end of a start that failed
      },
    });
    options.signal?.addEventListener('abort', abort, { once: true });
    pipeLines(child.stdout, (line) => keep(line));
    pipeLines(child.stderr, (line) => keep(line));

    function keep(line: string) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      options.output?.(options.name, line);
    }
    function fail(reason: string) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      child.kill();
      // Give the pipes a moment to deliver the child's last words.
      setTimeout(() => reject(new Error(`${options.name} ${reason}\n${tail.map((l) => `    ${l}`).join('\n')}`)), 50);
    }
    function abort() {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Reject only once the child is gone, so whoever stops the system leaves no process behind.
      void stopChild({ name: options.name, url: '', process: child }).then(() =>
        reject(new Error(`${options.name} was stopped while starting`)),
      );
    }
  });
}

async function pipeLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  }
  if (buffer) onLine(buffer);
}

/** SIGTERM, then SIGKILL after a grace period. */
export async function stopChild(child: Child, graceMs = 8_000) {
  if (child.process.exitCode !== null || child.process.signalCode) return;
  child.process.kill('SIGTERM');
  const killer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.process.exited;
  clearTimeout(killer);
}
