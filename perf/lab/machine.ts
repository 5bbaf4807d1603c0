import { cpus, totalmem, platform, release } from 'node:os';
import { readFileSync } from 'node:fs';

const version = (pkg: string) => {
  try {
    return JSON.parse(readFileSync(new URL(`../../node_modules/${pkg}/package.json`, import.meta.url), 'utf8'))
      .version as string;
  } catch {
    return 'not installed';
  }
};

/** Where and on what a run happened: numbers mean little without it. */
export function describeMachine() {
  const commit =
    Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD'], { cwd: new URL('../..', import.meta.url).pathname })
      .stdout.toString()
      .trim() || 'unknown';
  const dirty =
    Bun.spawnSync(['git', 'status', '--porcelain'], { cwd: new URL('../..', import.meta.url).pathname })
      .stdout.toString()
      .trim().length > 0;
  return {
    date: new Date().toISOString(),
    commit: dirty ? `${commit}+changes` : commit,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    bun: Bun.version,
    versions: Object.fromEntries(
      [
        '@graphql-hive/gateway',
        '@graphql-hive/router-runtime',
        'graphql-yoga',
        'ioredis',
        'postgres',
        'autocannon',
      ].map((pkg) => [pkg, version(pkg)]),
    ),
  };
}

export type MachineInfo = ReturnType<typeof describeMachine>;
