import { readFileSync } from 'node:fs';
import { GraphQLError, parse } from 'graphql';
import { RegistryError, registryRequest } from '../client';
import type { CheckReport, SchemaChange } from '../checks';
import { change, positiveInt, Rejected, required, summary, UsageError, type Command } from './common';
import { formatChanges, formatReport } from './output';

/** The schema:* commands: what schema owners run, mostly from CI. */
export const schemaCommands: Record<string, Command> = {
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
