import { fileURLToPath } from 'node:url';
import { runProcess } from '../../tests/support/run-process';

const CLI = fileURLToPath(new URL('../cli/index.ts', import.meta.url));

/** Runs `bun autograph ARGS` as its own process against `registryUrl` (no colour), for exit codes and output. */
export const runCli = (connection: { registryUrl: string; token: string; target: string }, args: string[]) =>
  runProcess(['bun', CLI, ...args], {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    REGISTRY_URL: connection.registryUrl,
    REGISTRY_TOKEN: connection.token,
    REGISTRY_TARGET: connection.target,
    NO_COLOR: '1',
  });
