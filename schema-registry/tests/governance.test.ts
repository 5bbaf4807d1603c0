import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { createRegistryClient, RegistryError } from '../client';
import { startRegistry } from '../server';
import { runCli } from './cli-process';

const TOKEN = 'governance-test-token';
const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@tag", "@shareable"])';
const dir = mkdtempSync(join(tmpdir(), 'autograph-governance-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** The users subgraph of these tests: `roles` and `banUser` are internal. */
const users = (extra = '') => `${LINK}
"""A person"""
type User @key(fields: "id") {
  """Its id"""
  id: ID!
  """Display name"""
  name: String!
  """Roles: internal"""
  roles: [String!]! @tag(name: "internal")
  ${extra}
}
"""Reads"""
type Query {
  """One user"""
  user(id: ID!): User
}
"""Writes"""
type Mutation {
  """Moderation: internal"""
  banUser(id: ID!): Boolean! @tag(name: "internal")
  """Public"""
  rename(id: ID!, name: String!): User
}`;

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;
let client: ReturnType<typeof createRegistryClient>;

const cli = (...args: string[]) => runCli({ registryUrl: registry.url, token: TOKEN, target: 'gov' }, args);

const contractSupergraph = (etag?: string) =>
  fetch(`${registry.url}/v1/targets/gov/contracts/public/supergraph`, {
    headers: { authorization: `Bearer ${TOKEN}`, ...(etag ? { 'if-none-match': etag } : {}) },
  });

beforeAll(async () => {
  database = await createTempDatabase('registry_governance');
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: TOKEN,
    targets: ['gov'],
    logger: createLogger('t', 'silent'),
  });
  client = createRegistryClient({ registryUrl: registry.url, target: 'gov', token: TOKEN });
  await client.publishSubgraph({ name: 'users', url: 'http://users:4003/graphql', sdl: users() });
});

afterAll(async () => {
  await registry?.stop();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('schema contracts', () => {
  let etag: string;

  test('contract:create composes the contract at once; its supergraph hides what is tagged internal', async () => {
    const usage = await cli('contract:create', 'public');
    expect(usage.code).toBe(2);
    const created = await cli('contract:create', 'public', '--exclude-tag', 'internal');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('composed from version 1');
    expect((await cli('contract:create', 'public', '--exclude-tag', 'internal')).code).toBe(1);

    const response = await contractSupergraph();
    expect(response.status).toBe(200);
    etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const api = (await client.listContracts())[0]!;
    expect(api).toMatchObject({ name: 'public', excludeTags: ['internal'], version: 1 });
    const contractSdl = await response.text();
    expect(contractSdl).toContain('@inaccessible');
    const full = await client.supergraph();
    expect(full.status === 'ok' && full.etag).not.toBe(etag);

    const { stdout } = await cli('schema:fetch', '--type', 'sdl');
    expect(stdout).toContain('banUser');
    expect(stdout).toContain('roles');
    // The contract's own API schema: what a gateway serving it shows clients.
    const served = await client.supergraph({ contract: 'public' });
    expect(served.status).toBe('ok');
    const { transformSupergraphToPublicSchema } = await import('@theguild/federation-composition');
    const { parse, print } = await import('graphql');
    const publicSdl = print(transformSupergraphToPublicSchema(parse(contractSdl)));
    expect(publicSdl).toContain('rename');
    expect(publicSdl).not.toContain('banUser');
    expect(publicSdl).not.toContain('roles');
  });

  test('ETag/304: unchanged answers 304; every publish recomposes the contract, internal additions stay hidden', async () => {
    expect((await contractSupergraph(etag)).status).toBe(304);
    await client.publishSubgraph({
      name: 'users',
      url: 'http://users:4003/graphql',
      sdl: users('"""Internal note"""\n  note: String @tag(name: "internal")\n  """City"""\n  city: String'),
    });
    const moved = await contractSupergraph(etag);
    expect(moved.status).toBe(200);
    expect(moved.headers.get('x-autograph-version')).toBe('2');
    const next = moved.headers.get('etag')!;
    expect(next).not.toBe(etag);
    const { transformSupergraphToPublicSchema } = await import('@theguild/federation-composition');
    const { parse, print } = await import('graphql');
    const publicSdl = print(transformSupergraphToPublicSchema(parse(await moved.text())));
    expect(publicSdl).toContain('city');
    expect(publicSdl).not.toContain('note');
    expect((await contractSupergraph(next)).status).toBe(304);
    expect((await contractSupergraph(`W/${next}, "other"`)).status).toBe(304);
  });

  test('a change the contract cannot compose fails the publish and the check (exit 1)', async () => {
    // Every Query field internal: the full supergraph composes, the contract has an empty Query.
    const sdl = users().replace('user(id: ID!): User', 'user(id: ID!): User @tag(name: "internal")');
    const refused = await client
      .publishSubgraph({ name: 'users', url: 'http://users:4003/graphql', sdl, force: true })
      .catch((error: RegistryError) => error);
    expect(refused).toBeInstanceOf(RegistryError);
    expect((refused as RegistryError).code).toBe('CONTRACT_COMPOSITION_FAILED');
    const check = await cli('schema:check', file('internal-query.graphql', sdl), '--service', 'users');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('contract public does not compose');
    expect((await client.versions({ limit: 1 }))[0]!.number).toBe(2);
  });

  test('breaking changes are analysed per contract', async () => {
    const result = await client.checkSubgraph({ name: 'users', sdl: users() }); // drops the public `city`
    const contract = result.report.contracts?.find((c) => c.name === 'public');
    expect(contract?.composition.ok).toBe(true);
    expect(contract?.apiChanges.some((c) => c.level === 'breaking' && c.path === 'User.city')).toBe(true);
    expect(contract?.blocking).toBeGreaterThan(0);
    expect(result.ok).toBe(false);
  });

  test('contract:list and contract:delete', async () => {
    const list = await cli('contract:list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('public  excludes internal  from version 2');
    expect((await cli('contract:delete', 'public')).code).toBe(0);
    expect((await cli('contract:delete', 'public')).code).toBe(2);
    expect((await contractSupergraph()).status).toBe(404);
  });
});

/** Where `needle` starts in `text`, as line:column (1-based), the way linters point. */
function at(text: string, needle: string, from = 0) {
  const index = text.indexOf(needle, from);
  if (index < 0) throw new Error(`${needle} not in text`);
  const before = text.slice(0, index).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

describe('schema policy', () => {
  const bad = `${LINK}
"""A person"""
type User @key(fields: "id") {
  """Its id"""
  id: ID!
  """Display name"""
  name: String!
  """Roles: internal"""
  roles: [String!]! @tag(name: "internal")
  Nickname: String
  legacy: String @deprecated
  """Internal note"""
  note: String @tag(name: "internal")
  """City"""
  city: String
}
"""Reads"""
type Query {
  """One user"""
  user(id: ID!): User
  """Many"""
  users(first: Int, after: String): [User!]!
}
"""Writes"""
type Mutation {
  """Moderation: internal"""
  banUser(id: ID!): Boolean! @tag(name: "internal")
  """Public"""
  rename(id: ID!, name: String!): User
}
input RenameArgs { name: String }
enum Colour { red }`;

  test('target:update --policy (YAML) stores the rules; unknown rules are refused (exit 2)', async () => {
    const policy = file(
      'policy.yaml',
      [
        'rules:',
        '  naming-convention: error',
        '  input-type-suffix: warn',
        '  require-deprecation-reason: error',
        '  new-fields-described: warn',
        '  pagination-bounded: error',
        '  require-description: off',
      ].join('\n'),
    );
    const updated = await cli('target:update', 'gov', '--policy', policy);
    expect(updated.stderr).toBe('');
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('naming-convention=error');
    const unknown = await cli('target:update', 'gov', '--policy', file('typo.json', '{"rules":{"naming":"error"}}'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown policy rule "naming"');
  });

  test('schema:check reports violations at file:line:column; errors exit 1', async () => {
    const path = file('bad.graphql', bad);
    const check = await cli('schema:check', path, '--service', 'users');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(
      `${path}:${at(bad, 'Nickname')}  error  Field "Nickname" should be in camelCase format`,
    );
    expect(check.stdout).toContain(`${path}:${at(bad, 'deprecated')}  error  Deprecation reason is required`);
    expect(check.stdout).toContain(`${path}:${at(bad, 'first')}  error  Argument "first" of field "users"`);
    expect(check.stdout).toContain(
      `${path}:${at(bad, 'RenameArgs')}  warn   Input "RenameArgs" should have "Input" suffix`,
    );
    expect(check.stdout).toContain(`${path}:${at(bad, 'red')}  error  Enum value "red" should be in UPPER_CASE`);
    // Only new fields must be described: `Nickname` and `legacy` are new, `users` is described.
    expect(check.stdout).toContain(
      `${path}:${at(bad, 'Nickname')}  warn   Description is required for field "Nickname"`,
    );
    expect(check.stdout).toContain(`Description is required for field "legacy"`);
    expect(check.stdout).not.toMatch(/Description is required for field "(id|name|roles)"/);
  });

  test('--format github prints annotations; --format json the full result', async () => {
    const path = file('bad.graphql', bad);
    const github = await cli('schema:check', path, '--service', 'users', '--format', 'github');
    expect(github.code).toBe(1);
    expect(github.stdout).toContain(
      `::error file=${path},line=${at(bad, 'Nickname').replace(':', ',col=')},title=policy naming-convention::Field "Nickname" should be in camelCase format`,
    );
    expect(github.stdout).toContain(
      `::warning file=${path},line=${at(bad, 'RenameArgs').replace(':', ',col=')},title=policy input-type-suffix::`,
    );
    const json = await cli('schema:check', path, '--service', 'users', '--format', 'json');
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.ok).toBe(false);
    expect(parsed.report.policy.errors).toBe(4);
    const [line, column] = at(bad, 'Nickname').split(':').map(Number);
    expect(parsed.report.policy.violations).toContainEqual(
      expect.objectContaining({ rule: 'naming-convention', severity: 'error', line, column }),
    );
    expect(parsed.report.breaking).toBe(0);
  });

  test('warnings alone pass (exit 0); a publish with policy errors is rejected', async () => {
    const current = '"""Internal note"""\n  note: String @tag(name: "internal")\n  """City"""\n  city: String';
    const warnOnly = file('warn.graphql', users(`${current}\n  nickname: String`));
    const check = await cli('schema:check', warnOnly, '--service', 'users');
    expect(check.stdout).toContain('schema policy: 0 error(s), 1 warning(s)');
    expect(check.stdout).toContain('Description is required for field "nickname"');
    expect(check.code).toBe(0);
    const refused = await cli('schema:publish', file('bad.graphql', bad), '--service', 'users', '--url', 'http://u/');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('schema policy error(s)');
  });
});
