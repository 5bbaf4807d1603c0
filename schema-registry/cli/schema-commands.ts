import { readFileSync } from 'node:fs';
import { GraphQLError, parse } from 'graphql';
import { RegistryError } from '../client';
import { change, positiveInt, Rejected, required, summary, UsageError, type Command } from './common';
import { githubAnnotations } from './annotations';
import { formatChanges, formatReport } from './output';

/** The schema:* commands: what schema owners run, mostly from CI. */
export const schemaCommands: Record<string, Command> = {
  async 'schema:check'([file], flags, registry, print, out) {
    const sdl = readSdl(file);
    const service = required(flags.service, '--service');
    const format = flags.format ?? (flags.json ? 'json' : 'text');
    if (!['text', 'json', 'github'].includes(format)) throw new UsageError('--format must be text, json or github');
    const result = await registry.checkSubgraph({
      name: service,
      url: flags.url,
      sdl,
      author: flags.author ?? process.env.USER,
      commit: flags.commit,
    });
    if (format === 'json') out(JSON.stringify(result, null, 2));
    else if (format === 'github') for (const line of githubAnnotations(result.report, file!)) out(line);
    else print(formatReport(result.report, file), result);
    if (!result.ok) throw new Rejected(`check failed for ${service}`);
  },

  async 'schema:publish'([file], flags, registry, print) {
    const sdl = readSdl(file);
    const subgraph = {
      name: required(flags.service, '--service'),
      url: required(flags.url, '--url'),
      sdl,
      author: flags.author ?? process.env.USER,
      commit: flags.commit,
      force: flags.force,
    };
    const result = await change(registry.publishSubgraph(subgraph));
    print([...formatReport(result.report), summary(result)], result);
  },

  async 'schema:delete'([name], flags, registry, print) {
    const result = await change(
      registry.deleteSubgraph(required(name, 'NAME'), { dryRun: flags['dry-run'], force: flags.force }),
    );
    print([...formatReport(result.report), flags['dry-run'] ? 'dry run: nothing changed' : summary(result)], result);
  },

  async 'schema:history'(_args, flags, registry, print) {
    const rows = await registry.versions({ limit: flags.limit ? positiveInt(flags.limit, '--limit') : 20 });
    print(
      rows.map(
        (v) =>
          `v${v.number}  ${v.createdAt.slice(0, 19).replace('T', ' ')}  ${v.change}${v.forced ? ' (forced)' : ''}  by ${v.author ?? '?'}${v.commit ? ` @ ${v.commit}` : ''}  [${v.subgraphs.join(', ')}]`,
      ),
      rows,
    );
  },

  async 'schema:diff'([from, to], _flags, registry, print) {
    const [a, b] = [positiveInt(from, 'V1'), positiveInt(to, 'V2')];
    const result = await registry.diff(a, b);
    print(formatChanges(`API schema v${a} → v${b}`, result.changes), result);
  },

  async 'schema:rollback'([version], flags, registry, print) {
    const result = await change(
      registry.rollback({ version: positiveInt(version, 'VERSION'), author: flags.author ?? process.env.USER }),
    );
    print([summary(result)], result);
  },

  async 'schema:promote'([version], flags, registry, print) {
    const body = {
      version: positiveInt(version, 'VERSION'),
      to: required(flags.to, '--to'),
      author: flags.author ?? process.env.USER,
      force: flags.force,
    };
    const result = await change(registry.promote(body));
    print([...formatReport(result.report), `${summary(result)} in target ${body.to}`], result);
  },

  async 'schema:fetch'(_args, flags, registry, print) {
    const type = flags.type ?? 'supergraph';
    if (!['supergraph', 'sdl', 'subgraphs'].includes(type))
      throw new UsageError('--type must be supergraph, sdl or subgraphs');
    let version = flags.version ? positiveInt(flags.version, '--version') : null;
    if (version === null) {
      const [latest] = await registry.versions({ limit: 1 });
      if (!latest) throw new RegistryError(404, 'NO_SUPERGRAPH', `target ${registry.target} has no versions yet`);
      version = latest.number;
    }
    const body =
      type === 'subgraphs'
        ? await registry.versionSubgraphs(version)
        : type === 'sdl'
          ? await registry.versionApiSchema(version)
          : await registry.versionSupergraph(version);
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
    const at =
      error instanceof GraphQLError && error.locations?.[0]
        ? `:${error.locations[0].line}:${error.locations[0].column}`
        : '';
    throw new UsageError(`${file}${at}: ${(error as Error).message}`);
  }
  return sdl;
}
