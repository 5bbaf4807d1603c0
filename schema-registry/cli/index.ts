#!/usr/bin/env bun
/**
 * autograph — the schema registry CLI. `bun autograph --help` lists the commands.
 * Exit codes: 0 ok, 1 check failed or change rejected, 2 usage or input error,
 * 3 registry unreachable or authentication failure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse, GraphQLError } from 'graphql';
import { RegistryError, registryRequest, type RegistryConnection } from '../client';
import type { CheckReport, SchemaChange } from '../checks';
import { formatChanges, formatReport } from './output';

const USAGE = `usage: autograph <command> [options]

  schema:check FILE --service NAME [--url URL]        check a subgraph schema (composition, breaking changes)
  schema:publish FILE --service NAME --url URL        publish it [--author A --commit C --force]
  schema:delete NAME [--dry-run] [--force]            remove a subgraph (dry run shows the result first)
  schema:history [--limit N]                          versions, newest first
  schema:diff V1 V2                                   changes to the API schema between two versions
  schema:rollback VERSION                             re-publish an earlier version as a new one
  schema:promote VERSION --to TARGET                  make this target's version the next version of another [--force]
  schema:fetch [--type supergraph|sdl|subgraphs] [--version V]

common: --registry URL (REGISTRY_URL, default http://127.0.0.1:4010)  --token T (REGISTRY_TOKEN,
        else .data/registry-token)  --target NAME (REGISTRY_TARGET, default main)  --json
exit codes: 0 ok, 1 check failed or rejected, 2 usage or input error, 3 registry unreachable or auth failure`;

class UsageError extends Error {}
class Rejected extends Error {}

const OPTIONS = {
  service: { type: 'string' }, url: { type: 'string' }, author: { type: 'string' }, commit: { type: 'string' },
  force: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, limit: { type: 'string' }, type: { type: 'string' },
  version: { type: 'string' }, registry: { type: 'string' }, token: { type: 'string' }, target: { type: 'string' },
  to: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  try {
    const { values: flags, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...args] = positionals;
    if (flags.help || !command) {
      out(USAGE);
      return command || flags.help ? 0 : 2;
    }
    const connection: RegistryConnection = {
      registryUrl: flags.registry ?? process.env.REGISTRY_URL ?? 'http://127.0.0.1:4010',
      target: flags.target ?? process.env.REGISTRY_TARGET ?? 'main',
      token: flags.token ?? process.env.REGISTRY_TOKEN ?? localToken(),
    };
    const print = (human: string[], machine: unknown) => (flags.json ? out(JSON.stringify(machine, null, 2)) : human.forEach((l) => out(l)));
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"`);
    await run(args, flags, connection, print);
    return 0;
  } catch (error) {
    if (error instanceof Rejected) return err(error.message), 1;
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof RegistryError) {
      err(error.message);
      if (error.status === 0 || error.status === 401 || error.status === 403) return 3;
      return error.status === 404 || error.status === 400 ? 2 : 1;
    }
    err(`unexpected error: ${(error as Error).message}`);
    return 1;
  }
}

type Print = (human: string[], machine: unknown) => void;
type Command = (args: string[], flags: Flags, connection: RegistryConnection, print: Print) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  async 'schema:check'([file], flags, connection, print) {
    const sdl = readSdl(file);
    const service = required(flags.service, '--service');
    const response = await registryRequest(connection, 'POST', '/checks', { name: service, url: flags.url, sdl });
    const result = (await response.json()) as { ok: boolean; report: CheckReport };
    print(formatReport(result.report), result);
    if (!result.ok) throw new Rejected(`check failed for ${service}`);
  },

  async 'schema:publish'([file], flags, connection, print) {
    const sdl = readSdl(file);
    const body = { name: required(flags.service, '--service'), url: required(flags.url, '--url'), sdl, author: flags.author ?? process.env.USER, commit: flags.commit, force: flags.force };
    const result = await change(connection, 'POST', '/subgraphs', body);
    print([...formatReport(result.report), summary(result)], result);
  },

  async 'schema:delete'([name], flags, connection, print) {
    const query = new URLSearchParams({ ...(flags['dry-run'] ? { dryRun: 'true' } : {}), ...(flags.force ? { force: 'true' } : {}) });
    const result = await change(connection, 'DELETE', `/subgraphs/${encodeURIComponent(required(name, 'NAME'))}?${query}`);
    print([...formatReport(result.report), flags['dry-run'] ? 'dry run: nothing changed' : summary(result)], result);
  },

  async 'schema:history'(_args, flags, connection, print) {
    const limit = flags.limit ? positiveInt(flags.limit, '--limit') : 20;
    const rows = (await (await registryRequest(connection, 'GET', `/versions?limit=${limit}`)).json()) as {
      number: number; author: string | null; commit: string | null; change: string; forced: boolean; createdAt: string; subgraphs: string[];
    }[];
    print(
      rows.map((v) => `v${v.number}  ${v.createdAt.slice(0, 19).replace('T', ' ')}  ${v.change}${v.forced ? ' (forced)' : ''}  by ${v.author ?? '?'}${v.commit ? ` @ ${v.commit}` : ''}  [${v.subgraphs.join(', ')}]`),
      rows,
    );
  },

  async 'schema:diff'([from, to], _flags, connection, print) {
    const [a, b] = [positiveInt(from, 'V1'), positiveInt(to, 'V2')];
    const result = (await (await registryRequest(connection, 'GET', `/diff?from=${a}&to=${b}`)).json()) as { changes: SchemaChange[] };
    print(formatChanges(`API schema v${a} → v${b}`, result.changes), result);
  },

  async 'schema:rollback'([version], flags, connection, print) {
    const result = await change(connection, 'POST', '/rollback', { version: positiveInt(version, 'VERSION'), author: flags.author ?? process.env.USER });
    print([summary(result)], result);
  },

  async 'schema:promote'([version], flags, connection, print) {
    const body = { version: positiveInt(version, 'VERSION'), to: required(flags.to, '--to'), author: flags.author ?? process.env.USER, force: flags.force };
    const result = await change(connection, 'POST', '/promote', body);
    print([...formatReport(result.report), `${summary(result)} in target ${body.to}`], result);
  },

  async 'schema:fetch'(_args, flags, connection, print) {
    const type = flags.type ?? 'supergraph';
    if (!['supergraph', 'sdl', 'subgraphs'].includes(type)) throw new UsageError('--type must be supergraph, sdl or subgraphs');
    let version = flags.version ? positiveInt(flags.version, '--version') : null;
    if (version === null) {
      const latest = (await (await registryRequest(connection, 'GET', '/versions?limit=1')).json()) as { number: number }[];
      if (!latest[0]) throw new RegistryError(404, 'NO_SUPERGRAPH', `target ${connection.target} has no versions yet`);
      version = latest[0].number;
    }
    const path = { supergraph: 'supergraph', sdl: 'api-schema', subgraphs: 'subgraphs' }[type as 'supergraph' | 'sdl' | 'subgraphs'];
    const response = await registryRequest(connection, 'GET', `/versions/${version}/${path}`);
    const body = type === 'subgraphs' ? await response.json() : await response.text();
    print([typeof body === 'string' ? body : JSON.stringify(body, null, 2)], { version, [type]: body });
  },
};

interface ChangeResult {
  status: string;
  version: number | null;
  report: CheckReport;
}

/** A write whose refusal (409) is a normal outcome with a report, exit code 1. */
async function change(connection: RegistryConnection, method: string, path: string, body?: unknown): Promise<ChangeResult> {
  try {
    return (await (await registryRequest(connection, method, path, body)).json()) as ChangeResult;
  } catch (error) {
    if (error instanceof RegistryError && error.status === 409 && error.details) {
      throw new Rejected([...formatReport(error.details as CheckReport), `rejected: ${error.message.replace(/^registry answered HTTP 409: /, '')}`].join('\n'));
    }
    throw error;
  }
}

const summary = (result: ChangeResult) =>
  result.status === 'published' ? `published: version ${result.version}` : result.status === 'checked' ? `would change (now at version ${result.version})` : `unchanged (version ${result.version})`;

function readSdl(file: string | undefined): string {
  if (!file) throw new UsageError('FILE is required');
  let sdl: string;
  try {
    sdl = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    parse(sdl);
  } catch (error) {
    const at = error instanceof GraphQLError && error.locations?.[0] ? `:${error.locations[0].line}:${error.locations[0].column}` : '';
    throw new UsageError(`${file}${at}: ${(error as Error).message}`);
  }
  return sdl;
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`${name} is required`);
  return value;
}

function positiveInt(value: string | undefined, name: string): number {
  const number = Number(value);
  if (!value || !Number.isInteger(number) || number < 1) throw new UsageError(`${name} must be a positive integer, got "${value ?? ''}"`);
  return number;
}

/** `bun start` writes a generated admin token here when REGISTRY_TOKEN is unset. */
function localToken(): string | undefined {
  const file = `${process.env.DATA_DIR ?? '.data'}/registry-token`;
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
