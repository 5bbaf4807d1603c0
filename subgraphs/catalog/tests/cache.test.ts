import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { ConfigError } from '../../../kit/config';
import type { RedisTarget } from '../../../kit/redis';
import type { RunningService } from '../../../kit/service';
import { errorCodes, gql, readCounter } from '../../../tests/support/graphql';
import { dropKeysWithPrefix, TEST_REDIS_URL } from '../../../tests/support/queues';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { createTestIssuer } from '../../../tests/support/tokens';
import { startSubgraph } from '../../framework';
import catalog from '..';
import { DEFAULT_CATALOG_CACHE_TTL_MS, defaultCacheKeyPrefix, loadCatalogConfig } from '../config';
import { insertUser, startUsers, usersUrl } from '../../users/tests/fixtures';
import { insertMake, insertModel, testSubgraphConfig } from './fixtures';

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let issuer: Awaited<ReturnType<typeof createTestIssuer>>;
let users: RunningService;
let sql: postgres.Sql;
const running: RunningService[] = [];
const ids = {} as Record<'subaru' | 'skoda' | 'outback' | 'forester' | 'octavia', string>;
let admin: string;
let seller: string;
const queuePrefix = `autograph-catalog-cache-${crypto.randomUUID()}`;

/** A catalog replica on the test database; Redis unless told otherwise; own variables from `env`. */
async function replica(options: { redis?: RedisTarget | undefined; env?: Record<string, string> } = {}) {
  const saved = { ...process.env };
  // The retention scheduler's BullMQ keys go under a prefix of this run's, removed at the end.
  Object.assign(process.env, { QUEUE_PREFIX: queuePrefix, ...options.env });
  try {
    const service = await startSubgraph(
      catalog,
      testSubgraphConfig(database.url, {
        redis: 'redis' in options ? options.redis : { url: TEST_REDIS_URL },
        jwksUrl: issuer.jwksUrl,
        usersUrl: usersUrl(users),
      }),
    );
    running.push(service);
    return service;
  } finally {
    for (const name of ['QUEUE_PREFIX', ...Object.keys(options.env ?? {})])
      if (saved[name] === undefined) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

const sqlStatements = (service: RunningService) =>
  readCounter(`${service.url}/metrics`, 'autograph_sql_statements_total', { service: 'catalog' });
const cacheHits = (service: RunningService) =>
  readCounter(`${service.url}/metrics`, 'autograph_catalog_cache_requests_total', { result: 'hit' });

const MAKE_PAGE = 'query ($id: ID!) { make(id: $id) { id name country models { id name bodyType } } }';
const MODEL_PAGE = 'query ($id: ID!) { model(id: $id) { id name bodyType make { id name } } }';
const UPDATE_MAKE =
  'mutation ($id: ID!, $input: UpdateMakeInput!) { updateMake(id: $id, input: $input) { id name country } }';
const UPDATE_MODEL =
  'mutation ($id: ID!, $input: UpdateModelInput!) { updateModel(id: $id, input: $input) { id name bodyType } }';

beforeAll(async () => {
  database = await createTempDatabase('catalog_cache');
  issuer = await createTestIssuer();
  // Admin writes ask users whether the admin's account is still active.
  users = await startUsers(database.url);
  // Migrates the fresh database before the fixtures go in.
  await replica({ redis: undefined });
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  ids.subaru = await insertMake(sql, 'Subaru', 'Japan');
  ids.skoda = await insertMake(sql, 'Skoda', 'Czechia');
  ids.outback = await insertModel(sql, ids.subaru, 'Outback', 'WAGON');
  ids.forester = await insertModel(sql, ids.subaru, 'Forester', 'SUV');
  ids.octavia = await insertModel(sql, ids.skoda, 'Octavia', 'LIFTBACK');
  admin = await issuer.sign(await insertUser(sql, { roles: ['ADMIN'] }), ['ADMIN']);
  seller = await issuer.sign(await insertUser(sql), ['BUYER', 'SELLER']);
});

afterAll(async () => {
  for (const service of running) await service.stop();
  await users?.stop();
  await sql?.end();
  // Leave nothing behind in the shared Redis.
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${defaultCacheKeyPrefix(database.url)}*`);
  if (keys.length) await redis.unlink(...keys);
  await redis.quit();
  await dropKeysWithPrefix(queuePrefix);
  issuer?.stop();
  await database?.drop();
});

describe('catalog reference cache', () => {
  test('serves makes and models from Redis after the first read, without SQL', async () => {
    const service = await replica();
    const read = () =>
      Promise.all([
        gql(service.url, MAKE_PAGE, { id: ids.subaru }),
        gql(service.url, MODEL_PAGE, { id: ids.octavia }),
        gql(service.url, '{ makes { name } }'),
      ]);
    const cold = await read();
    for (const response of cold) expect(response.errors).toBeUndefined();
    expect(cold[0].data.make.models.map((model: { name: string }) => model.name)).toEqual(['Forester', 'Outback']);
    expect(cold[1].data.model.make.name).toBe('Skoda');

    const [statementsBefore, hitsBefore] = [await sqlStatements(service), await cacheHits(service)];
    const warm = await read();
    expect(warm.map((response) => response.data)).toEqual(cold.map((response) => response.data));
    expect(await sqlStatements(service)).toBe(statementsBefore);
    // make, its models, the model, its make, the list of makes
    expect(await cacheHits(service)).toBe(hitsBefore + 5);
  });

  test('updateMake evicts the make and the list of makes on every replica', async () => {
    const [writer, reader] = [await replica(), await replica()];
    expect((await gql(reader.url, MAKE_PAGE, { id: ids.skoda })).data.make.name).toBe('Skoda');
    expect(
      (await gql(reader.url, '{ makes { name } }')).data.makes.map((make: { name: string }) => make.name),
    ).toContain('Skoda');

    const updated = await gql(writer.url, UPDATE_MAKE, { id: ids.skoda, input: { name: 'Škoda' } }, { token: admin });
    expect(updated.errors).toBeUndefined();
    expect(updated.data.updateMake).toEqual({ id: ids.skoda, name: 'Škoda', country: 'Czechia' });

    expect((await gql(reader.url, MAKE_PAGE, { id: ids.skoda })).data.make.name).toBe('Škoda');
    expect((await gql(reader.url, '{ makes { name } }')).data.makes.map((make: { name: string }) => make.name)).toEqual(
      ['Subaru', 'Škoda'],
    );
    expect((await gql(reader.url, MODEL_PAGE, { id: ids.octavia })).data.model.make.name).toBe('Škoda');
  });

  test("updateModel evicts the model and its make's list of models", async () => {
    const [writer, reader] = [await replica(), await replica()];
    expect(
      (await gql(reader.url, MAKE_PAGE, { id: ids.subaru })).data.make.models.map(
        (model: { name: string }) => model.name,
      ),
    ).toEqual(['Forester', 'Outback']);
    expect((await gql(reader.url, MODEL_PAGE, { id: ids.outback })).data.model.bodyType).toBe('WAGON');

    const updated = await gql(
      writer.url,
      UPDATE_MODEL,
      { id: ids.outback, input: { name: 'Outback Wilderness', bodyType: 'SUV' } },
      { token: admin },
    );
    expect(updated.errors).toBeUndefined();

    expect((await gql(reader.url, MODEL_PAGE, { id: ids.outback })).data.model).toMatchObject({
      name: 'Outback Wilderness',
      bodyType: 'SUV',
    });
    expect(
      (await gql(reader.url, MAKE_PAGE, { id: ids.subaru })).data.make.models.map(
        (model: { name: string }) => model.name,
      ),
    ).toEqual(['Forester', 'Outback Wilderness']);
  });

  test('reads PostgreSQL, and still writes, while Redis is unreachable', async () => {
    const service = await replica({ redis: { url: 'redis://127.0.0.1:1' } });
    for (let i = 0; i < 2; i++) {
      const response = await gql(service.url, MAKE_PAGE, { id: ids.subaru });
      expect(response.errors).toBeUndefined();
      expect(response.data.make.name).toBe('Subaru');
    }
    const updated = await gql(
      service.url,
      UPDATE_MAKE,
      { id: ids.subaru, input: { country: 'Japan' } },
      { token: admin },
    );
    expect(updated.errors).toBeUndefined();
  });

  test('CATALOG_CACHE=off reads PostgreSQL every time', async () => {
    const service = await replica({ env: { CATALOG_CACHE: 'off' } });
    await gql(service.url, MAKE_PAGE, { id: ids.subaru });
    const before = await sqlStatements(service);
    await gql(service.url, MAKE_PAGE, { id: ids.subaru });
    expect(await sqlStatements(service)).toBeGreaterThan(before);
  });

  test('caches for DEFAULT_CATALOG_CACHE_TTL_MS unless told otherwise', () => {
    expect(loadCatalogConfig({}).cache).toEqual({
      enabled: true,
      ttlMs: DEFAULT_CATALOG_CACHE_TTL_MS,
      keyPrefix: undefined,
    });
    expect(loadCatalogConfig({ CATALOG_CACHE_TTL_MS: '1000' }).cache.ttlMs).toBe(1000);
  });

  test('rejects a wrong cache setting, naming the variable', () => {
    expect(() => loadCatalogConfig({ CATALOG_CACHE_TTL_MS: 'soon' })).toThrow(/CATALOG_CACHE_TTL_MS/);
    expect(() => loadCatalogConfig({ CATALOG_CACHE: 'yes' })).toThrow(ConfigError);
  });
});

describe('catalog admin mutations', () => {
  test('are for admins only', async () => {
    const service = await replica();
    const anonymous = await gql(service.url, UPDATE_MAKE, { id: ids.subaru, input: { name: 'Fuji' } });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const notAdmin = await gql(
      service.url,
      UPDATE_MODEL,
      { id: ids.forester, input: { name: 'Foxer' } },
      { token: seller },
    );
    expect(errorCodes(notAdmin)).toEqual(['FORBIDDEN']);
    expect((await gql(service.url, MAKE_PAGE, { id: ids.subaru })).data.make.name).toBe('Subaru');
  });

  test('say what is wrong with the input', async () => {
    const service = await replica();
    const unknown = await gql(
      service.url,
      UPDATE_MAKE,
      { id: '00000000-0000-4000-8000-000000000000', input: { name: 'Nobody' } },
      { token: admin },
    );
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
    const malformed = await gql(service.url, UPDATE_MODEL, { id: 'not-an-id', input: { name: 'X' } }, { token: admin });
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    const nothing = await gql(service.url, UPDATE_MAKE, { id: ids.subaru, input: {} }, { token: admin });
    expect(errorCodes(nothing)).toEqual(['BAD_USER_INPUT']);
    const blank = await gql(service.url, UPDATE_MAKE, { id: ids.subaru, input: { name: '  ' } }, { token: admin });
    expect(errorCodes(blank)).toEqual(['BAD_USER_INPUT']);
    const sibling = (await gql(service.url, MODEL_PAGE, { id: ids.outback })).data.model.name;
    const duplicate = await gql(
      service.url,
      UPDATE_MODEL,
      { id: ids.forester, input: { name: sibling } },
      { token: admin },
    );
    expect(errorCodes(duplicate)).toEqual(['CONFLICT']);
  });
});
