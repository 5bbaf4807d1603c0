import { chownSync } from 'node:fs';

/**
 * PostgreSQL refuses to run as root, and a data directory must belong to the account its server
 * runs as. Run as root (a container, this machine's CI), the server programs and every file they
 * read or write go to the `postgres` account; run as any other user, to that user.
 */
const SERVER_ACCOUNT = 'postgres';
const asRoot = process.getuid?.() === 0;

let ids: { uid: number; gid: number } | null = null;
function serverIds() {
  if (!ids) {
    const id = (flag: string) => Number(Bun.spawnSync(['id', flag, SERVER_ACCOUNT]).stdout.toString().trim());
    ids = { uid: id('-u'), gid: id('-g') };
    if (!Number.isInteger(ids.uid) || ids.uid <= 0)
      throw new Error(`running as root needs a "${SERVER_ACCOUNT}" account`);
  }
  return ids;
}

/** Gives a file or directory made by this process to the server's account (a no-op unless root). */
export function giveToServer(path: string): void {
  if (!asRoot) return;
  const { uid, gid } = serverIds();
  chownSync(path, uid, gid);
}

export class ToolError extends Error {
  constructor(
    readonly command: string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`${command.join(' ')} exited ${exitCode}${stderr.trim() ? `:\n${stderr.trim()}` : ''}`);
    this.name = 'ToolError';
  }
}

/** Runs a command as the server's account; resolves with its standard output, throws ToolError on failure. */
export async function runAsServer(command: string[], env?: Record<string, string>): Promise<string> {
  const argv = asRoot ? ['runuser', '-u', SERVER_ACCOUNT, '--', ...command] : command;
  const child = Bun.spawn(argv, {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    env: env ? { ...process.env, ...env } : process.env,
  });
  const [code, out, err] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  if (code !== 0) throw new ToolError(command, code, err || out);
  return out;
}
