import type { parseArgs } from 'node:util';
import { RegistryError, type ChangeResult, type RegistryClient } from '../client';
import type { CheckReport } from '../checks';
import { formatReport } from './output';

/** Bad command line or input file: exit code 2. */
export class UsageError extends Error {}
/** A check failed or the registry refused the change: exit code 1. */
export class Rejected extends Error {}

export const OPTIONS = {
  service: { type: 'string' },
  url: { type: 'string' },
  author: { type: 'string' },
  commit: { type: 'string' },
  force: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  failed: { type: 'boolean' },
  passed: { type: 'boolean' },
  limit: { type: 'string' },
  type: { type: 'string' },
  version: { type: 'string' },
  registry: { type: 'string' },
  token: { type: 'string' },
  target: { type: 'string' },
  to: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  client: { type: 'string' },
  kind: { type: 'string' },
  name: { type: 'string' },
  events: { type: 'string' },
  secret: { type: 'string' },
  'usage-window-days': { type: 'string' },
  'usage-threshold': { type: 'string' },
  'plan-operations': { type: 'string' },
  policy: { type: 'string' },
  format: { type: 'string' },
  'include-tag': { type: 'string', multiple: true },
  'exclude-tag': { type: 'string', multiple: true },
  'keep-unreachable': { type: 'boolean' },
} as const;

export type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];
type Print = (human: string[], machine: unknown) => void;
/** `out` writes one raw line (machine formats such as GitHub annotations). */
export type Command = (
  args: string[],
  flags: Flags,
  registry: RegistryClient,
  print: Print,
  out: (line: string) => void,
) => Promise<void>;

/** A write whose refusal (409) is a normal outcome with a report, exit code 1. */
export async function change(write: Promise<ChangeResult>): Promise<ChangeResult> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof RegistryError && error.status === 409 && error.details) {
      throw new Rejected([...formatReport(error.details as CheckReport), `rejected: ${error.reason}`].join('\n'));
    }
    throw error;
  }
}

export const summary = (result: ChangeResult) =>
  result.status === 'published'
    ? `published: version ${result.version}`
    : result.status === 'checked'
      ? `would change (now at version ${result.version})`
      : `unchanged (version ${result.version})`;

export function required(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`${name} is required`);
  return value;
}

export function positiveInt(value: string | undefined, name: string): number {
  const number = Number(value);
  if (!value || !Number.isInteger(number) || number < 1)
    throw new UsageError(`${name} must be a positive integer, got "${value ?? ''}"`);
  return number;
}
