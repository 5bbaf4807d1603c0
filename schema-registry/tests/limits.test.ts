import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { readRegistryEnv } from '../config';
import { startRegistry } from '../server';

// Bounded input: what the registry parses and composes is measured first, so no request can
// exhaust its stack; and whatever still fails answers a JSON error with a code, never a stack.
const TOKEN = 'limits-test-admin-token';
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;

const call = (path: string, body: unknown, method = 'POST') =>
  fetch(`${registry.url}/v1/targets/main${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
/** `Type0 { next: Type1 } … TypeN { end: Int }`: what overflowed the composer's recursion. */
const chain = (count: number, prefix = 'T') =>
  `${Array.from({ length: count }, (_, i) => `type ${prefix}${i} { next: ${prefix}${i + 1} }`).join('\n')}\ntype ${prefix}${count} { end: Int }`;
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } }).error;

beforeAll(async () => {
  database = await createTempDatabase('registry_limits');
  // Limits come from the environment as in production; 50 types keeps the cross-subgraph case small.
  const config = readRegistryEnv({ DATABASE_URL: database.url, REGISTRY_TOKEN: TOKEN, REGISTRY_MAX_TYPES: '50' });
  registry = await startRegistry({ ...config, port: 0, logger: createLogger('t', 'silent') });
});

afterAll(async () => {
  await registry?.stop();
  await database?.drop();
});

describe('what is composed is bounded before composing', () => {
  test('a check with 10,000 chained types answers 400 TOO_MANY_TYPES at once (it overflowed the stack: 500)', async () => {
    const started = performance.now();
    const response = await call('/checks', {
      name: 'chain',
      sdl: `${LINK}\ntype Query { start: T0 }\n${chain(10_000)}`,
    });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('TOO_MANY_TYPES');
    expect(error.details).toMatchObject({ limit: 50, actual: 10_002, variable: 'REGISTRY_MAX_TYPES' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  test('the bound counts the whole target: two subgraphs that fit alone do not fit together', async () => {
    const first = await call('/subgraphs', {
      name: 'first',
      url: 'http://127.0.0.1:9/graphql',
      sdl: `${LINK}\ntype Query { a: A0 }\n${chain(30, 'A')}`,
    });
    expect(first.status).toBe(201);
    const second = await call('/subgraphs', {
      name: 'second',
      url: 'http://127.0.0.1:9/graphql',
      sdl: `${LINK}\ntype Query { b: B0 }\n${chain(30, 'B')}`,
    });
    expect(second.status).toBe(400);
    expect(await errorOf(second)).toMatchObject({ code: 'TOO_MANY_TYPES', details: { limit: 50, actual: 63 } });
    // Refused, recorded, and nothing changed.
    const audit = (await (
      await fetch(`${registry.url}/v1/audit?target=main&limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { action: string; outcome: string }[];
    expect(audit[0]).toMatchObject({ action: 'publish', outcome: 'refused' });
    const subgraphs = (await (await call('/subgraphs', undefined, 'GET')).json()) as { name: string }[];
    expect(subgraphs.map((s) => s.name)).toEqual(['first']);
  });

  test('an SDL over REGISTRY_MAX_SDL_BYTES (default 1 MiB) answers 413 SDL_TOO_LARGE', async () => {
    const sdl = `${LINK}\n"""${'x'.repeat(1024 * 1024)}"""\ntype Query { a: Int }`;
    const response = await call('/subgraphs', { name: 'big', url: 'http://127.0.0.1:9/graphql', sdl });
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatchObject({
      code: 'SDL_TOO_LARGE',
      details: { limit: 1024 * 1024, variable: 'REGISTRY_MAX_SDL_BYTES' },
    });
  });

  test('nesting deeper than REGISTRY_MAX_SDL_DEPTH (default 64) answers 400 SDL_TOO_DEEP with where (the parser overflowed: 500)', async () => {
    const sdl = `type Query {\n  f: ${'['.repeat(100_000)}Int${']'.repeat(100_000)}\n}`;
    const response = await call('/checks', { name: 'deep', sdl });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({
      code: 'SDL_TOO_DEEP',
      details: { limit: 64, line: 2, column: 69 },
    });
    // Brackets inside strings and comments are not nesting.
    const text = `${LINK}\n"${'['.repeat(200)}"\ntype Query {\n  # ${'{'.repeat(200)}\n  ok: Int\n}`;
    expect((await call('/checks', { name: 'strings', sdl: text })).status).toBe(200);
  });
});

describe('operation documents are bounded too', () => {
  // 30,000 levels in 60 kB (documents may have 100 kB): graphql-js's parser overflows past ~10,000.
  const deep = `query Deep ${'{a'.repeat(30_000)}${'}'.repeat(30_000)}`;

  test('a trusted document nesting thousands of levels is invalid (400), not a crash (500)', async () => {
    const response = await call('/documents', {
      client: 'web',
      documents: [{ hash: 'deep-document-1', document: deep }],
    });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('INVALID_DOCUMENTS');
    expect(JSON.stringify(error.details)).toContain('nests deeper than 128 levels');
  });

  test('a usage report with such a document cannot break later publishes (the plan check skips it)', async () => {
    const reported = await call('/usage', {
      operations: [{ hash: 'deep-usage-1', name: 'Deep', document: deep, coordinates: ['Query.a'], count: 5 }],
    });
    expect(reported.status).toBe(202);
    const response = await call('/subgraphs', {
      name: 'first',
      url: 'http://127.0.0.1:9/graphql',
      sdl: `${LINK}\ntype Query { a: A0 extra: Int }\n${chain(30, 'A')}`,
    });
    expect(response.status).toBe(201);
  });
});

describe('unexpected failures answer a JSON error with a code, never a stack', () => {
  test('numbers past PostgreSQL integers are bad requests (they were database errors: 500)', async () => {
    const diff = await fetch(`${registry.url}/v1/targets/main/diff?from=1&to=99999999999999`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(diff.status).toBe(400);
    expect((await errorOf(diff)).code).toBe('BAD_REQUEST');
    expect(
      (
        await fetch(`${registry.url}/v1/targets/main/versions/99999999999/supergraph`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).status,
    ).toBe(400);
    expect((await call('/rollback', { version: 99_999_999_999 })).status).toBe(400);
  });

  test('a registry whose database vanished answers 500 INTERNAL without details', async () => {
    const doomed = await createTempDatabase('registry_limits_doomed');
    const lines: string[] = [];
    const logger = createLogger('t', 'error', { write: (line: string) => void lines.push(line) });
    const orphan = await startRegistry({ port: 0, databaseUrl: doomed.url, adminToken: TOKEN, logger });
    try {
      await doomed.drop();
      const response = await fetch(`${orphan.url}/v1/targets/main/versions`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toContain('application/json');
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        error: { code: 'INTERNAL', message: 'Internal error; see the registry logs' },
      });
      expect(text).not.toMatch(/ at |\.ts:|database|postgres/i);
      expect(lines.join('\n')).toContain('registry request failed'); // the details are in the log
    } finally {
      await orphan.stop().catch(() => {});
    }
  });
});
