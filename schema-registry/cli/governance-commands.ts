import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { PolicyRules } from '../db/schema';
import { required, UsageError, type Command } from './common';

const describeTags = (include: string[], exclude: string[]) =>
  [include.length && `includes ${include.join(', ')}`, exclude.length && `excludes ${exclude.join(', ')}`]
    .filter(Boolean)
    .join('; ');

/** Schema contracts of the target: defined by tags, composed on every publish, served to gateways. */
export const contractCommands: Record<string, Command> = {
  async 'contract:create'([name], flags, registry, print) {
    const includeTags = flags['include-tag'] ?? [];
    const excludeTags = flags['exclude-tag'] ?? [];
    if (includeTags.length + excludeTags.length === 0)
      throw new UsageError('give --include-tag or --exclude-tag (each may be repeated)');
    const created = await registry.createContract({
      name: required(name, 'NAME'),
      includeTags,
      excludeTags,
      removeUnreachableTypes: !flags['keep-unreachable'],
    });
    print(
      [
        `created contract ${created.name} (${describeTags(includeTags, excludeTags)}) in target ${registry.target}`,
        created.version === null
          ? 'composed at the first publish'
          : `composed from version ${created.version}; served at /v1/targets/${registry.target}/contracts/${created.name}/supergraph`,
      ],
      created,
    );
  },

  async 'contract:list'(_args, _flags, registry, print) {
    const rows = await registry.listContracts();
    print(
      rows.map(
        (c) =>
          `${c.name}  ${describeTags(c.includeTags, c.excludeTags)}  ${c.version === null ? 'not composed yet' : `from version ${c.version}, ${c.hash?.slice(0, 12)}`}`,
      ),
      rows,
    );
  },

  async 'contract:delete'([name], _flags, registry, print) {
    const result = await registry.deleteContract(required(name, 'NAME'));
    print([`deleted contract ${result.deleted}`], result);
  },
};

/**
 * A policy file, JSON or YAML (YAML is read with the `yaml` package; JSON is YAML too):
 * `{ rules: { <rule>: off|warn|error } }` or the rules map alone. The registry checks rule names.
 */
export function readPolicy(file: string): PolicyRules {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${file}: not JSON or YAML: ${(error as Error).message}`);
  }
  const rules = (parsed as { rules?: unknown } | null)?.rules ?? parsed;
  if (!rules || typeof rules !== 'object' || Array.isArray(rules))
    throw new UsageError(`${file}: expected { rules: { <rule>: off|warn|error } }`);
  return rules as PolicyRules;
}
