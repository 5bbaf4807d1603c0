import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { startRegistry } from '../server';
import { runCli } from './cli-process';

const TOKEN = 'cli-test-token';
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';
const dir = mkdtempSync(join(tmpdir(), 'autograph-cli-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const v1 = file(
  'v1.graphql',
  `${LINK}\ntype Car @key(fields: "id") { id: ID! name: String! price: Int! }\ntype Query { car(id: ID!): Car }`,
);
const v2 = file(
  'v2.graphql',
  `${LINK}\ntype Car @key(fields: "id") { id: ID! name: String! }\ntype Query { car(id: ID!): Car }`,
);
const broken = file('broken.graphql', 'type Query {\n  car: \n}');

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;

const cli = (...args: string[]) => runCli({ registryUrl: registry.url, token: TOKEN, target: 'cli' }, args);

beforeAll(async () => {
  database = await createTempDatabase('registry_cli');
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: TOKEN,
    targets: ['cli'],
    logger: createLogger('t', 'silent'),
  });
});

afterAll(async () => {
  await registry?.stop();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('publish, check, refuse a breaking publish, force it, history, diff, fetch, rollback', async () => {
  const published = await cli(
    'schema:publish',
    v1,
    '--service',
    'cars',
    '--url',
    'http://cars:4000/graphql',
    '--commit',
    'c1',
  );
  expect(published.code).toBe(0);
  expect(published.stdout).toContain('published: version 1');

  const check = await cli('schema:check', v2, '--service', 'cars');
  expect(check.code).toBe(1);
  expect(check.stdout).toContain("Field 'price' was removed from object type 'Car'");
  expect(check.stdout).toContain('1 breaking change(s)');

  const refused = await cli('schema:publish', v2, '--service', 'cars', '--url', 'http://cars:4000/graphql');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('rejected');

  const forced = await cli(
    'schema:publish',
    v2,
    '--service',
    'cars',
    '--url',
    'http://cars:4000/graphql',
    '--force',
    '--json',
  );
  expect(forced.code).toBe(0);
  expect(JSON.parse(forced.stdout)).toMatchObject({ status: 'published', version: 2 });

  const history = await cli('schema:history', '--json');
  expect(JSON.parse(history.stdout).map((v: { number: number; forced: boolean }) => [v.number, v.forced])).toEqual([
    [2, true],
    [1, false],
  ]);

  const diff = await cli('schema:diff', '1', '2');
  expect(diff.code).toBe(0);
  expect(diff.stdout).toContain('breaking');
  expect(diff.stdout).toContain("Field 'price' was removed");

  const api = await cli('schema:fetch', '--type', 'sdl', '--version', '1');
  expect(api.stdout).toContain('price: Int!');
  expect(api.stdout).not.toContain('join__');

  const rollback = await cli('schema:rollback', '1');
  expect(rollback.code).toBe(0);
  expect(rollback.stdout).toContain('version 3');
  expect((await cli('schema:fetch')).stdout).toContain('price: Int!');
});

test('delete --dry-run shows the result and changes nothing', async () => {
  const dry = await cli('schema:delete', 'cars', '--dry-run', '--force');
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain('dry run: nothing changed');
  expect((await cli('schema:fetch', '--type', 'subgraphs', '--json')).stdout).toContain('"cars"');
  expect((await cli('schema:delete', 'nope')).code).toBe(2);
});

test('input errors exit 2 with a clear message; auth and network errors exit 3', async () => {
  const invalid = await cli('schema:check', broken, '--service', 'cars');
  expect(invalid.code).toBe(2);
  expect(invalid.stderr).toContain(`${broken}:3:1: Syntax Error`);
  const missing = await cli('schema:check', join(dir, 'nope.graphql'), '--service', 'cars');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('ENOENT');
  expect((await cli('schema:check', v1)).stderr).toContain('--service is required');
  expect((await cli('schema:launch')).code).toBe(2);
  expect((await cli('schema:diff', 'one', '2')).code).toBe(2);
  expect((await cli('schema:history', '--token', 'wrong-token')).code).toBe(3);
  expect(
    (await cli('schema:publish', v1, '--service', 'cars', '--url', 'http://x/graphql', '--token', 'wrong-token')).code,
  ).toBe(3);
  expect((await cli('schema:history', '--registry', 'http://127.0.0.1:1')).code).toBe(3);
});

test('target:create, token:create and a scoped token that can read but not write', async () => {
  const created = await cli('target:create', 'cli-staging', '--usage-window-days', '14', '--usage-threshold', '0.5');
  expect(created.code).toBe(0);
  expect(created.stdout).toContain('created target cli-staging: usage window 14 days, threshold 0.5%');
  expect((await cli('target:create', 'cli-staging')).code).toBe(1);
  expect((await cli('target:create', 'Bad_Name')).code).toBe(2);
  expect((await cli('target:create', 'x', '--usage-threshold', '250')).stderr).toContain(
    '--usage-threshold must be a percentage',
  );

  const issued = await cli('token:create', '--target', 'cli-staging', '--kind', 'read', '--name', 'cdn', '--json');
  expect(issued.code).toBe(0);
  const { token } = JSON.parse(issued.stdout);
  expect(token).toStartWith('agr_read_');
  expect((await cli('schema:history', '--target', 'cli-staging', '--token', token)).code).toBe(0);
  const denied = await cli(
    'schema:publish',
    v1,
    '--service',
    'cars',
    '--url',
    'http://cars/graphql',
    '--target',
    'cli-staging',
    '--token',
    token,
  );
  expect(denied.code).toBe(3);
  expect(denied.stderr).toContain('read token "cdn" of target "cli-staging" cannot do this');
  const unknown = await cli('schema:history', '--target', 'no-such-target');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('create it with `autograph target:create no-such-target`');
});

test('operations:publish reads an Apollo manifest, and rejects invalid documents with their position', async () => {
  const manifest = (operations: { id: string; body: string }[]) =>
    file(
      `manifest-${operations.length}.json`,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: operations.map((o) => ({ ...o, name: null, type: 'query' })),
      }),
    );
  const good = await cli(
    'operations:publish',
    manifest([{ id: 'car-by-id-1', body: 'query Car { car(id: "1") { id price } }' }]),
    '--client',
    'web',
  );
  expect(good.code).toBe(0);
  expect(good.stdout).toContain('web: 1 document(s) stored, 0 already known');
  const bad = await cli(
    'operations:publish',
    manifest([
      { id: 'a-valid-one', body: '{ car(id: "1") { id } }' },
      { id: 'an-invalid-one', body: '{ car(id: "1") {\n  colour } }' },
    ]),
    '--client',
    'web',
  );
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('an-invalid-one:2:3: Cannot query field "colour" on type "Car".');
  expect(bad.stderr).toContain('nothing was stored');
  expect((await cli('operations:list', '--client', 'web')).stdout.trim().split('\n')).toHaveLength(1);
  expect((await cli('operations:publish', file('not-json.json', 'nope'), '--client', 'web')).code).toBe(2);
  expect((await cli('operations:publish', file('empty.json', '{}'), '--client', 'web')).stderr).toContain(
    'not a persisted operations manifest',
  );
});

test('composition errors are grouped by subgraph and point at the coordinate', async () => {
  const clash = file(
    'clash.graphql',
    `${LINK}\ntype Car @key(fields: "id") { id: ID! price: String! }\ntype Query { cheapest: Car }`,
  );
  const result = await cli('schema:check', clash, '--service', 'prices');
  expect(result.code).toBe(1);
  expect(result.stdout).toContain('✖ composition failed');
  expect(result.stdout).toMatch(/\n {2}cars \+ prices\n {4}Car\.price \[\w+\] /);
});

test("input over the registry's limits, and URLs it refuses, exit 2 with the registry's message", async () => {
  const big = file('big.graphql', `${LINK}\n"""${'x'.repeat(1024 * 1024)}"""\ntype Query { big: Int }`);
  const tooLarge = await cli('schema:publish', big, '--service', 'big', '--url', 'http://big:4000/graphql');
  expect(tooLarge.code).toBe(2);
  expect(tooLarge.stderr).toContain('registry answered HTTP 413: The SDL is');
  expect(tooLarge.stderr).toContain('bytes; the limit is 1048576 (REGISTRY_MAX_SDL_BYTES)');
  const metadata = await cli(
    'schema:publish',
    v1,
    '--service',
    'cars',
    '--url',
    'http://169.254.169.254/latest/meta-data/iam/',
  );
  expect(metadata.code).toBe(2);
  expect(metadata.stderr).toContain(
    'registry answered HTTP 400: host 169.254.169.254 is link-local or a cloud metadata service',
  );
  const hook = await cli('webhook:create', 'http://[fd00:ec2::254]/latest/api/token');
  expect(hook.code).toBe(2);
  expect(hook.stderr).toContain('host [fd00:ec2::254] is link-local');
});
