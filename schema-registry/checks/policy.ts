import graphqlEslint from '@graphql-eslint/eslint-plugin';
import { Linter } from 'eslint';
import { Kind, parse, visit, type ASTNode } from 'graphql';
import type { PolicyRules, PolicySeverity } from '../db/schema';
import { paginationBounded } from './policy-rules';

const plugin = graphqlEslint as unknown as { parser: Linter.Parser; rules: Record<string, unknown> };

interface RuleSetup {
  /** The rule that runs: graphql-eslint's, or ours (`pagination-bounded`). */
  rule: string;
  options?: unknown;
  /** Explains the rule in `--help`-like listings and the README. */
  description: string;
  /** Report only fields the previous SDL of the subgraph did not have. */
  onlyNewFields?: true;
}

/**
 * The policy's rules, each one of graphql-eslint's rules with the options that say what we mean.
 * ESLint's `Linter` runs them on the subgraph's SDL as it was sent, so every violation has the
 * line and column of the checked file. A policy names rules and severities, never options:
 * the conventions are the project's, the strictness each target's.
 */
export const POLICY_RULES = {
  'naming-convention': {
    rule: 'naming-convention',
    options: {
      types: 'PascalCase',
      FieldDefinition: 'camelCase',
      InputValueDefinition: 'camelCase',
      EnumValueDefinition: 'UPPER_CASE',
    },
    description: 'types PascalCase, fields and arguments camelCase, enum values UPPER_CASE',
  },
  'input-type-suffix': {
    rule: 'naming-convention',
    options: { InputObjectTypeDefinition: { suffix: 'Input' } },
    description: 'input types end in "Input"',
  },
  'require-description': {
    rule: 'require-description',
    options: { types: true, FieldDefinition: true },
    description: 'every type and field has a description',
  },
  'require-deprecation-reason': {
    rule: 'require-deprecation-reason',
    description: '@deprecated gives a reason',
  },
  'new-fields-described': {
    rule: 'require-description',
    options: { FieldDefinition: true },
    onlyNewFields: true,
    description: 'a field the subgraph did not have before has a description',
  },
  'pagination-bounded': {
    rule: 'pagination-bounded',
    description: 'page-size arguments (first, last, limit, take, pageSize) have a default value or @listSize',
  },
} satisfies Record<string, RuleSetup>;

export type PolicyRuleName = keyof typeof POLICY_RULES;
export const POLICY_RULE_NAMES = Object.keys(POLICY_RULES) as PolicyRuleName[];
export const POLICY_SEVERITIES = ['off', 'warn', 'error'] as const satisfies PolicySeverity[];

export interface PolicyViolation {
  rule: PolicyRuleName;
  severity: 'error' | 'warn';
  message: string;
  line: number;
  column: number;
}

export interface PolicyReport {
  errors: number;
  warnings: number;
  violations: PolicyViolation[];
}

// Each policy rule under its own name, so one library rule can serve two policy rules with different options.
const PLUGIN = {
  rules: {
    ...Object.fromEntries(
      Object.entries(POLICY_RULES).map(([name, setup]) => [
        name,
        setup.rule === 'pagination-bounded' ? paginationBounded : plugin.rules[setup.rule],
      ]),
    ),
  },
} as unknown as NonNullable<Linter.Config['plugins']>[string];

const linter = new Linter({ configType: 'flat' });

/**
 * Lints one subgraph SDL with the target's policy. `previousSdl` is what the subgraph had before
 * (null for a new subgraph), for `new-fields-described`. Rules that are `off` or absent do not run.
 */
export function lintSchema(sdl: string, rules: PolicyRules, previousSdl: string | null): PolicyReport {
  const active = Object.entries(rules).filter(
    (entry): entry is [PolicyRuleName, 'warn' | 'error'] => entry[0] in POLICY_RULES && entry[1] !== 'off',
  );
  if (active.length === 0) return { errors: 0, warnings: 0, violations: [] };
  const config: Linter.Config = {
    files: ['**/*.graphql'],
    languageOptions: { parser: plugin.parser },
    plugins: { policy: PLUGIN },
    rules: Object.fromEntries(
      active.map(([name, severity]) => {
        const options = (POLICY_RULES[name] as RuleSetup).options;
        return [`policy/${name}`, options ? [severity, options] : severity];
      }),
    ),
  };
  const messages = linter.verify(sdl, [config], 'schema.graphql');
  const known = previousSdl === null ? new Set<string>() : fieldCoordinates(previousSdl).coordinates;
  const fieldsAt = fieldCoordinates(sdl).at;
  const violations: PolicyViolation[] = [];
  for (const message of messages) {
    const rule = message.ruleId?.replace(/^policy\//, '') as PolicyRuleName | undefined;
    if (!rule || !(rule in POLICY_RULES)) continue; // parse errors: the SDL was parsed before any check
    if ((POLICY_RULES[rule] as RuleSetup).onlyNewFields) {
      const coordinate = fieldsAt.get(`${message.line}:${message.column}`);
      if (!coordinate || known.has(coordinate)) continue;
    }
    violations.push({
      rule,
      severity: message.severity === 2 ? 'error' : 'warn',
      message: message.message,
      line: message.line,
      column: message.column,
    });
  }
  violations.sort((a, b) => a.line - b.line || a.column - b.column);
  return {
    errors: violations.filter((v) => v.severity === 'error').length,
    warnings: violations.filter((v) => v.severity === 'warn').length,
    violations,
  };
}

/** Every `Type.field` of an SDL, and which one starts at each "line:column" (where rules report a field). */
function fieldCoordinates(sdl: string) {
  const coordinates = new Set<string>();
  const at = new Map<string, string>();
  const parents: string[] = [];
  const typeKinds = new Set<string>([
    Kind.OBJECT_TYPE_DEFINITION,
    Kind.OBJECT_TYPE_EXTENSION,
    Kind.INTERFACE_TYPE_DEFINITION,
    Kind.INTERFACE_TYPE_EXTENSION,
    Kind.INPUT_OBJECT_TYPE_DEFINITION,
    Kind.INPUT_OBJECT_TYPE_EXTENSION,
  ]);
  const named = (node: ASTNode) => (node as { name?: { value: string } }).name?.value ?? '';
  visit(parse(sdl), {
    enter(node) {
      if (typeKinds.has(node.kind)) parents.push(named(node));
      if (node.kind === Kind.FIELD_DEFINITION && parents.length) {
        const coordinate = `${parents.at(-1)}.${node.name.value}`;
        coordinates.add(coordinate);
        const start = node.name.loc?.startToken;
        if (start) at.set(`${start.line}:${start.column}`, coordinate);
      }
    },
    leave(node) {
      if (typeKinds.has(node.kind)) parents.pop();
    },
  });
  return { coordinates, at };
}
