import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { gql, readCounter } from '../../../tests/support/graphql';
import { createTempDatabase } from '../../../tests/support/temp-database';
import type { RunningService } from '../../../kit/service';
import { insertGeneration, insertMake, insertModel, startCatalog } from './fixtures';

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let catalog: RunningService;
let sql: postgres.Sql;
const ids = {} as Record<'toyota' | 'bmw' | 'lada' | 'camry' | 'corolla' | 'x5' | 'xv50' | 'xv70', string>;
const bulkModels: string[] = [];

beforeAll(async () => {
  database = await createTempDatabase('catalog');
  catalog = await startCatalog(database.url);
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  // Inserted out of alphabetical order, so sorting is the subgraph's doing.
  ids.toyota = await insertMake(sql, 'Toyota', 'Japan');
  ids.lada = await insertMake(sql, 'Lada', 'Russia');
  ids.bmw = await insertMake(sql, 'BMW', 'Germany');
  ids.corolla = await insertModel(sql, ids.toyota, 'Corolla', 'HATCHBACK');
  ids.camry = await insertModel(sql, ids.toyota, 'Camry', 'SEDAN');
  ids.x5 = await insertModel(sql, ids.bmw, 'X5', 'SUV');
  ids.xv70 = await insertGeneration(sql, ids.camry, 'XV70', 2017);
  ids.xv50 = await insertGeneration(sql, ids.camry, 'XV50', 2011, 2017);
  for (let i = 0; i < 50; i++) {
    const model = await insertModel(sql, ids.lada, `Model ${String(i).padStart(2, '0')}`, 'WAGON');
    await insertGeneration(sql, model, `Gen ${i}`, 2000 + i, 2001 + i);
    bulkModels.push(model);
  }
});

afterAll(async () => {
  await sql?.end();
  await catalog?.stop();
  await database?.drop();
});

const query = (text: string, variables?: Record<string, unknown>) => gql(catalog.url, text, variables);

describe('catalog queries', () => {
  test('makes are listed alphabetically', async () => {
    const response = await query('{ makes { id name country } }');
    expect(response.errors).toBeUndefined();
    expect(response.data.makes).toEqual([
      { id: ids.bmw, name: 'BMW', country: 'Germany' },
      { id: ids.lada, name: 'Lada', country: 'Russia' },
      { id: ids.toyota, name: 'Toyota', country: 'Japan' },
    ]);
  });

  test('make by id, with its models alphabetically', async () => {
    const response = await query('query ($id: ID!) { make(id: $id) { name models { id name bodyType } } }', {
      id: ids.toyota,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data.make).toEqual({
      name: 'Toyota',
      models: [
        { id: ids.camry, name: 'Camry', bodyType: 'SEDAN' },
        { id: ids.corolla, name: 'Corolla', bodyType: 'HATCHBACK' },
      ],
    });
  });

  test('model by id, with its make and generations oldest first', async () => {
    const response = await query(
      'query ($id: ID!) { model(id: $id) { id name bodyType make { id name } generations { id name yearFrom yearTo model { id } } } }',
      { id: ids.camry },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.model).toEqual({
      id: ids.camry,
      name: 'Camry',
      bodyType: 'SEDAN',
      make: { id: ids.toyota, name: 'Toyota' },
      generations: [
        { id: ids.xv50, name: 'XV50', yearFrom: 2011, yearTo: 2017, model: { id: ids.camry } },
        { id: ids.xv70, name: 'XV70', yearFrom: 2017, yearTo: null, model: { id: ids.camry } },
      ],
    });
  });

  test('an upper-case id finds the same make', async () => {
    const response = await query('query ($id: ID!) { make(id: $id) { id } }', { id: ids.bmw.toUpperCase() });
    expect(response.errors).toBeUndefined();
    expect(response.data.make).toEqual({ id: ids.bmw });
  });

  for (const [label, id] of [
    ['malformed', 'not-a-uuid'],
    ['unknown', '00000000-0000-4000-8000-000000000000'],
  ] as const) {
    test(`a ${label} id finds nothing, without an error`, async () => {
      const response = await query('query ($id: ID!) { make(id: $id) { id } model(id: $id) { id } }', { id });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ make: null, model: null });
    });
  }
});

describe('catalog entities', () => {
  const ENTITIES = /* GraphQL */ `
    query ($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Make { __typename id name country }
        ... on Model { __typename id name bodyType make { name } generations { name yearFrom } }
      }
    }
  `;

  test('resolves Make and Model references in order; unknown and malformed ones are null', async () => {
    const response = await query(ENTITIES, {
      representations: [
        { __typename: 'Model', id: ids.x5 },
        { __typename: 'Make', id: ids.lada },
        { __typename: 'Model', id: '00000000-0000-4000-8000-000000000000' },
        { __typename: 'Make', id: 'garbage' },
        { __typename: 'Model', id: ids.camry },
      ],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      { __typename: 'Model', id: ids.x5, name: 'X5', bodyType: 'SUV', make: { name: 'BMW' }, generations: [] },
      { __typename: 'Make', id: ids.lada, name: 'Lada', country: 'Russia' },
      null,
      null,
      {
        __typename: 'Model',
        id: ids.camry,
        name: 'Camry',
        bodyType: 'SEDAN',
        make: { name: 'Toyota' },
        generations: [
          { name: 'XV50', yearFrom: 2011 },
          { name: 'XV70', yearFrom: 2017 },
        ],
      },
    ]);
  });

  test('SQL statements for model references do not grow with their number', async () => {
    const statements = () =>
      readCounter(`${catalog.url}/metrics`, 'autograph_sql_statements_total', { service: 'catalog' });
    const resolve = async (count: number) => {
      const representations = bulkModels.slice(0, count).map((id) => ({ __typename: 'Model', id }));
      const before = await statements();
      const response = await query(ENTITIES, { representations });
      const used = (await statements()) - before;
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toHaveLength(count);
      expect(response.data._entities.every((m: any) => m.make.name === 'Lada' && m.generations.length === 1)).toBe(
        true,
      );
      return used;
    };
    await resolve(1); // warm-up: connections, prepared statements
    const forFive = await resolve(5);
    const forFifty = await resolve(50);
    expect(forFive).toBeGreaterThan(0);
    expect(forFifty).toBe(forFive);
  });
});
