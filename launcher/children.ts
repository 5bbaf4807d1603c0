import type { Subprocess } from 'bun';
import type { ListeningMessage } from '../kit/service';

export interface Child {
  name: string;
  url: string;
  process: Subprocess;
}

/**
 * Spawns one service as its own Bun process and resolves once it announces (over IPC) the URL it
 * listens on; rejects with its last output lines if it exits or stays silent first.
 */
export function spawnService(options: {
  name: string;
  entry: string[];
  env: Record<string, string | undefined>;
  timeoutMs?: number;
  onExit?: (name: string, code: number | null) => void;
  output?: (name: string, line: string) => void;
}): Promise<Child> {
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(`did not start within ${(options.timeoutMs ?? 60_000) / 1000} s`), options.timeoutMs ?? 60_000);
    const child = Bun.spawn(['bun', ...options.entry], {
      env: { ...process.env, ...options.env } as Record<string, string>,
      stdout: 'pipe',
      stderr: 'pipe',
      ipc(message: ListeningMessage) {
        if (message?.type === 'listening' && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve({ name: options.name, url: message.url, process: child });
        }
      },
      onExit(_proc, code) {
        if (!settled) fail(`exited with code ${code}`);
        else options.onExit?.(options.name, code);
      },
    });
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
      child.kill();
      // Give the pipes a moment to deliver the child's last words.
      setTimeout(() => reject(new Error(`${options.name} ${reason}\n${tail.map((l) => `    ${l}`).join('\n')}`)), 50);
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
