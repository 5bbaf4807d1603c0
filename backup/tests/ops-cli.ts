import { fileURLToPath } from 'node:url';
import { runProcess } from '../../tests/support/run-process';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

/** Runs `bun ops <args>` as an operator would, with the given environment on top of this one. */
export const runOps = (args: string[], env: Record<string, string | undefined>) =>
  runProcess([process.execPath, CLI, ...args], { ...process.env, DATABASE_URL: undefined, ...env });
