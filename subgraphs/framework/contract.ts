import { diff, CriticalityLevel, ChangeType, type Change } from '@graphql-inspector/core';
import { buildASTSchema, Kind, parse, print, type DocumentNode } from 'graphql';

/**
 * Compares a subgraph's printed SDL with its contract file: everything in the contract must be
 * there with the same names, types, nullability, arguments and defaults. Additions are fine.
 * graphql-inspector classifies a changed default as merely "dangerous", but the contract
 * promises defaults too, so those count as violations here.
 */
const defaultChanges = new Set<string>([
  ChangeType.FieldArgumentDefaultChanged,
  ChangeType.InputFieldDefaultValueChanged,
]);

export async function contractViolations(contractSdl: string, subgraphSdl: string): Promise<string[]> {
  const contract = parse(contractSdl);
  const subgraph = parse(subgraphSdl);
  const changes: Change[] = await diff(build(contract), build(subgraph));
  const violations = changes
    .filter((c) => c.criticality.level === CriticalityLevel.Breaking || defaultChanges.has(c.type))
    .map((c) => c.message);
  return [...violations, ...missingKeys(contract, subgraph)];
}

function build(document: DocumentNode) {
  // Federation directives are declared by the @link import, not in the document itself.
  return buildASTSchema(document, { assumeValid: true, assumeValidSDL: true });
}

/** Entity keys are part of the contract: other subgraphs and the gateway rely on them. */
function missingKeys(contract: DocumentNode, subgraph: DocumentNode): string[] {
  const keysOf = (document: DocumentNode) => {
    const keys = new Map<string, Set<string>>();
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      for (const directive of definition.directives ?? []) {
        if (directive.name.value !== 'key') continue;
        const set = keys.get(definition.name.value) ?? new Set<string>();
        set.add(
          (directive.arguments ?? [])
            .map((a) => `${a.name.value}:${print(a.value)}`)
            .sort()
            .join(','),
        );
        keys.set(definition.name.value, set);
      }
    }
    return keys;
  };
  const actual = keysOf(subgraph);
  const missing: string[] = [];
  for (const [type, keys] of keysOf(contract)) {
    for (const key of keys) {
      if (!actual.get(type)?.has(key)) missing.push(`Type '${type}' lacks @key(${key}) required by the contract`);
    }
  }
  return missing;
}
