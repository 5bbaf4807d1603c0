import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SUBGRAPH_NAMES, subgraphs } from '..';
import { contractViolations } from '../framework/contract';
import { printSubgraphSdl } from '../framework/sdl';

const contractDir = fileURLToPath(new URL('../../../shared/contract/', import.meta.url));

describe('every subgraph exposes its contract', () => {
  for (const name of SUBGRAPH_NAMES) {
    test(name, async () => {
      const contract = readFileSync(`${contractDir}${name}.graphql`, 'utf8');
      const sdl = printSubgraphSdl((await subgraphs[name]()).schema);
      expect(await contractViolations(contract, sdl)).toEqual([]);
    });
  }
});

describe('the contract check itself', () => {
  const contract = `type Query { offers(first: Int = 20): [String!]! } type Offer @key(fields: "id") { id: ID! }`;

  test('accepts additions', async () => {
    const extended = `type Query { offers(first: Int = 20, after: String): [String!]! extra: Int } type Offer @key(fields: "id") { id: ID! title: String }`;
    expect(await contractViolations(contract, extended)).toEqual([]);
  });

  test('rejects a changed default, a nullability change and a missing key', async () => {
    const broken = `type Query { offers(first: Int = 50): [String!] } type Offer { id: ID! }`;
    const violations = await contractViolations(contract, broken);
    expect(violations.some((v) => v.toLowerCase().includes('default value'))).toBe(true);
    expect(violations.some((v) => v.includes("'Query.offers'") && v.includes('changed type'))).toBe(true);
    expect(violations.some((v) => v.includes('lacks @key'))).toBe(true);
  });
});
