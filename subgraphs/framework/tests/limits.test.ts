import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { ConfigError, parseConfig } from '../../../kit/config';
import type { RunningService } from '../../../kit/service';
import { errorCodes, gql } from '../../../tests/support/graphql';
import { createTempDatabase } from '../../../tests/support/temp-database';
import offers from '../../offers';
import { testSubgraphConfig } from '../../catalog/tests/fixtures';
import { DEFAULT_SUBGRAPH_QUERY_LIMITS } from '../limits';
import { startSubgraph } from '../subgraph';
import { subgraphConfigSchema } from '../subgraph-config';

/**
 * Query limits on a real subgraph (offers), called directly as a peer or anyone who can reach it
 * would: the probe that answered 1.7 MB (429 models × `offers(first: 100)` in one `_entities`
 * call) is refused before any SQL, as are documents too deep, too wide or too long.
 */
let database: Awaited<ReturnType<typeof createTempDatabase>>;
let service: RunningService;
let strict: RunningService;
let sql: postgres.Sql;

const ENTITIES = `query ($r: [_Any!]!, $first: Int) {
  _entities(representations: $r) { ... on Model { id offers(first: $first) { edges { node { id title price currency year mileageKm city status createdAt } } } } }
}`;
const models = (n: number) => Array.from({ length: n }, () => ({ __typename: 'Model', id: crypto.randomUUID() }));
const statements = async (s: RunningService) =>
  (await (await fetch(`${s.url}/metrics`)).text())
    .split('\n')
    .filter((l) => l.startsWith('autograph_sql_statements_total{') && l.includes('service="offers"'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);

beforeAll(async () => {
  database = await createTempDatabase('subgraph_limits');
  service = await startSubgraph(offers, testSubgraphConfig(database.url));
  strict = await startSubgraph(
    offers,
    testSubgraphConfig(database.url, {
      limits: { maxDepth: 3, maxAliases: 2, maxTokens: 60, maxDirectives: 1, maxCost: 100, maxRepresentations: 5 },
    }),
  );
  sql = postgres(database.url, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await strict?.stop();
  await service?.stop();
  await sql?.end();
  await database?.drop();
});

describe('with the defaults', () => {
  test('429 representations × offers(first: 100) is refused before any SQL: QUERY_TOO_COMPLEX', async () => {
    const before = await statements(service);
    const response = await gql(service.url, ENTITIES, { r: models(429), first: 100 });
    expect(errorCodes(response)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(response.data ?? null).toBeNull();
    expect(response.errors![0]!.message).toMatch(/cost \d+ exceeds the limit of 50000/);
    expect(await statements(service)).toBe(before);
  });

  test('what the gateway sends for a page of 100 offers is served', async () => {
    const response = await gql(service.url, ENTITIES, { r: models(100), first: 20 });
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toHaveLength(100);
  });

  test('more representations than the limit is TOO_MANY_REPRESENTATIONS, over every _entities field', async () => {
    const CHEAP = 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
    expect(errorCodes(await gql(service.url, CHEAP, { r: models(1_001) }))).toEqual(['TOO_MANY_REPRESENTATIONS']);
    expect((await gql(service.url, CHEAP, { r: models(1_000) })).errors).toBeUndefined();
    const TWICE =
      'query ($r: [_Any!]!) { a: _entities(representations: $r) { __typename } b: _entities(representations: $r) { __typename } }';
    expect(errorCodes(await gql(service.url, TWICE, { r: models(600) }))).toEqual(['TOO_MANY_REPRESENTATIONS']);
  });
});

describe('configured limits, each with its code', () => {
  test('depth', async () => {
    expect(errorCodes(await gql(strict.url, '{ offers { edges { node { id } } } }'))).toEqual(['QUERY_TOO_DEEP']);
    expect((await gql(strict.url, '{ offers { totalCount } }')).errors).toBeUndefined();
  });

  test('aliases', async () => {
    expect(
      errorCodes(
        await gql(strict.url, '{ a: offers { totalCount } b: offers { totalCount } c: offers { totalCount } }'),
      ),
    ).toEqual(['TOO_MANY_ALIASES']);
  });

  test('tokens', async () => {
    const long = `{ offers { totalCount ${'pageInfo { hasNextPage } '.repeat(20)} } }`;
    expect(errorCodes(await gql(strict.url, long))).toEqual(['TOO_MANY_TOKENS']);
  });

  test('directives', async () => {
    expect(
      errorCodes(await gql(strict.url, '{ offers { totalCount @include(if: true) __typename @skip(if: false) } }')),
    ).toEqual(['TOO_MANY_DIRECTIVES']);
  });

  test('cost, with list sizes read from the variables', async () => {
    const PAGE = 'query ($n: Int) { offers(first: $n) { edges { cursor } } }'; // 1 + n × 2
    expect((await gql(strict.url, PAGE, { n: 10 })).errors).toBeUndefined();
    expect(errorCodes(await gql(strict.url, PAGE, { n: 60 }))).toEqual(['QUERY_TOO_COMPLEX']);
  });

  test('representations', async () => {
    const ENTITY_TYPES = 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
    // The same document within the limit first: what passed is remembered per number of representations only.
    expect((await gql(strict.url, ENTITY_TYPES, { r: models(5) })).errors).toBeUndefined();
    expect(errorCodes(await gql(strict.url, ENTITY_TYPES, { r: models(6) }))).toEqual(['TOO_MANY_REPRESENTATIONS']);
  });
});

describe('configuration', () => {
  const parse = (env: Record<string, string>) =>
    parseConfig(subgraphConfigSchema('offers'), { DATABASE_URL: 'postgres://localhost/x', ...env });

  test('defaults, and 0 switches a limit off', () => {
    expect(parse({}).limits).toEqual(DEFAULT_SUBGRAPH_QUERY_LIMITS);
    expect(DEFAULT_SUBGRAPH_QUERY_LIMITS).toEqual({
      maxDepth: 15,
      maxAliases: 50,
      maxTokens: 5_000,
      maxDirectives: 50,
      maxCost: 50_000,
      maxRepresentations: 1_000,
    });
    expect(parse({ SUBGRAPH_MAX_COST: '0', SUBGRAPH_MAX_DEPTH: '20' }).limits).toMatchObject({
      maxCost: 0,
      maxDepth: 20,
    });
  });

  test('a wrong value stops the start naming the variable', () => {
    for (const [name, value] of [
      ['SUBGRAPH_MAX_DEPTH', '-1'],
      ['SUBGRAPH_MAX_TOKENS', 'lots'],
      ['SUBGRAPH_MAX_REPRESENTATIONS', '1.5'],
    ]) {
      expect(() => parse({ [name!]: value! })).toThrow(ConfigError);
      expect(() => parse({ [name!]: value! })).toThrow(new RegExp(name!));
    }
  });
});
