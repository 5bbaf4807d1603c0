#!/usr/bin/env bun
/**
 * autograph — the schema registry CLI. `bun autograph --help` lists the commands.
 * Exit codes: 0 ok, 1 check failed or change rejected, 2 usage or input error,
 * 3 registry unreachable or authentication failure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRegistryClient, RegistryError } from '../client';
import { adminCommands } from './admin-commands';
import { checkCommands } from './check-commands';
import { OPTIONS, Rejected, UsageError, type Command } from './common';
import { operationCommands } from './operation-commands';
import { contractCommands } from './governance-commands';
import { schemaCommands } from './schema-commands';

const COMMANDS: Record<string, Command> = {
  ...schemaCommands,
  ...checkCommands,
  ...operationCommands,
  ...adminCommands,
  ...contractCommands,
};

const USAGE = `usage: autograph <command> [options]

  schema:check FILE --service NAME [--url URL]        check a subgraph schema (composition, breaking changes,
                    [--format text|json|github]       contracts, schema policy); github: Actions annotations
                    [--author A --commit C]           stored with the check run
  check:list [--service NAME] [--kind K] [--failed|--passed] [--author A] [--limit N]
                                                      stored check runs (checks and every change's check)
  schema:publish FILE --service NAME --url URL        publish it [--author A --commit C --force]
  schema:delete NAME [--dry-run] [--force]            remove a subgraph (dry run shows the result first)
  schema:history [--limit N]                          versions, newest first
  schema:diff V1 V2                                   changes to the API schema between two versions
  schema:rollback VERSION                             re-publish an earlier version as a new one
  schema:promote VERSION --to TARGET                  make this target's version the next version of another [--force]
  schema:fetch [--type supergraph|sdl|subgraphs] [--version V]

  operations:publish MANIFEST --client NAME           store a client's trusted documents (Apollo persisted
                                                      query manifest, or a {"hash": "document"} map)
  operations:list [--client NAME]                     trusted documents of the target

  target:create NAME [--usage-window-days N] [--usage-threshold PERCENT] [--plan-operations N]
  target:update NAME [same options] [--policy FILE]   change a target's check settings; FILE (JSON or YAML):
                                                      { rules: { naming-convention: error, ... } }
  target:list                                         all targets and their settings (admin)
  token:create --kind read|usage|write --name NAME    a target-scoped token, shown once (admin)
  token:list | token:revoke ID
  webhook:create URL [--events version.published,check.failed] [--secret S]
  webhook:list | webhook:delete ID | webhook:deliveries ID
  contract:create NAME [--include-tag T]... [--exclude-tag T]... [--keep-unreachable]
                                                      a schema contract: the supergraph filtered by @tag
  contract:list | contract:delete NAME

common: --registry URL (REGISTRY_URL, default http://127.0.0.1:4010)  --token T (REGISTRY_TOKEN,
        else .data/registry-token)  --target NAME (REGISTRY_TARGET, default main)  --json
exit codes: 0 ok, 1 check failed or rejected, 2 usage or input error, 3 registry unreachable or auth failure`;

export async function main(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  try {
    const { values: flags, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    const [command, ...args] = positionals;
    if (flags.help || !command) {
      out(USAGE);
      return command || flags.help ? 0 : 2;
    }
    const registry = createRegistryClient({
      registryUrl: flags.registry ?? process.env.REGISTRY_URL ?? 'http://127.0.0.1:4010',
      target: flags.target ?? process.env.REGISTRY_TARGET ?? 'main',
      token: flags.token ?? process.env.REGISTRY_TOKEN ?? localToken(),
    });
    const print = (human: string[], machine: unknown) => {
      if (flags.json) out(JSON.stringify(machine, null, 2));
      else for (const line of human) out(line);
    };
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"`);
    await run(args, flags, registry, print, out);
    return 0;
  } catch (error) {
    if (error instanceof Rejected) {
      err(error.message);
      return 1;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof RegistryError) {
      err(error.message);
      if (error.status === 0 || error.status === 401 || error.status === 403) return 3;
      // 400/413: the input (a file, a URL, an id) is wrong or over the registry's limits.
      return error.status === 404 || error.status === 400 || error.status === 413 ? 2 : 1;
    }
    err(`unexpected error: ${(error as Error).message}`);
    return 1;
  }
}

/** `bun start` writes a generated admin token here when REGISTRY_TOKEN is unset. */
function localToken(): string | undefined {
  const file = `${process.env.DATA_DIR ?? '.data'}/registry-token`;
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
