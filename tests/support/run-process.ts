/** Runs a command to its end with exactly `env`, and returns its exit code and whole output (CLI tests). */
export async function runProcess(command: string[], env: Record<string, string | undefined>) {
  const child = Bun.spawn(command, { env, stdout: 'pipe', stderr: 'pipe' });
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, stdout, stderr };
}
