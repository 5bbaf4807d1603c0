import { afterAll, expect, test } from 'bun:test';
import { createRegistryClient, RegistryError } from '../client';

/**
 * The registry client against a stand-in server on port 0: the header, path and error handling
 * every caller (CLI, gateway) relies on. The real registry is driven by the other suites.
 */
const seen: { method: string; path: string; authorization: string | null; ifNoneMatch: string | null }[] = [];
const server = Bun.serve({
  port: 0,
  async fetch(request) {
    const { pathname } = new URL(request.url);
    seen.push({
      method: request.method,
      path: pathname,
      authorization: request.headers.get('authorization'),
      ifNoneMatch: request.headers.get('if-none-match'),
    });
    if (pathname === '/v1/targets/shop/supergraph') {
      const headers = { etag: '"v7"', 'x-autograph-version': '7' };
      return request.headers.get('if-none-match') === '"v7"'
        ? new Response(null, { status: 304, headers })
        : new Response('schema @link(url: "x") { query: Query }', { headers });
    }
    if (pathname === '/v1/targets/shop/documents/known-id') return new Response('{ makes { name } }');
    if (pathname === '/v1/targets/shop/usage')
      return Response.json(
        { error: { code: 'FORBIDDEN', message: 'needs a usage token', details: { level: 'usage' } } },
        { status: 403 },
      );
    if (pathname === '/v1/targets/shop/versions')
      return new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    if (pathname === '/v1/targets/shop/diff') return new Response('not json');
    if (pathname === '/v1/targets/shop/tokens') return Bun.sleep(1_000).then(() => Response.json([]));
    return Response.json({ error: { code: 'NOT_FOUND', message: `No route ${pathname}` } }, { status: 404 });
  },
});
afterAll(() => server.stop(true));

const registry = createRegistryClient({
  registryUrl: `http://127.0.0.1:${server.port}/`,
  target: 'shop',
  token: 'secret',
});
const failure = (call: Promise<unknown>) =>
  call.then(
    () => expect.unreachable(),
    (error: unknown) => error as RegistryError,
  );

test('the supergraph is fetched with the Bearer token, then conditionally: 304 is `unchanged`', async () => {
  const first = await registry.supergraph();
  expect(first).toEqual({ status: 'ok', sdl: 'schema @link(url: "x") { query: Query }', etag: '"v7"', version: 7 });
  expect(await registry.supergraph({ etag: '"v7"' })).toEqual({ status: 'unchanged' });
  expect(seen.slice(-2)).toEqual([
    { method: 'GET', path: '/v1/targets/shop/supergraph', authorization: 'Bearer secret', ifNoneMatch: null },
    { method: 'GET', path: '/v1/targets/shop/supergraph', authorization: 'Bearer secret', ifNoneMatch: '"v7"' },
  ]);
});

test('a document lookup answers the document, or null on 404', async () => {
  expect(await registry.document('known-id')).toBe('{ makes { name } }');
  expect(await registry.document('unknown-id')).toBeNull();
});

test("a refusal carries the status and the registry's code, message and details", async () => {
  const error = await failure(
    registry.reportUsage({ operations: [{ hash: 'abcdefgh', document: '{ a }', coordinates: ['Query.a'], count: 1 }] }),
  );
  expect(error).toBeInstanceOf(RegistryError);
  expect(error).toMatchObject({
    status: 403,
    code: 'FORBIDDEN',
    reason: 'needs a usage token',
    details: { level: 'usage' },
    message: 'registry answered HTTP 403: needs a usage token',
  });
});

test('an answer without the registry error body is HTTP_ERROR; an unreadable success is INVALID_RESPONSE', async () => {
  expect(await failure(registry.versions())).toMatchObject({
    status: 502,
    code: 'HTTP_ERROR',
    reason: '<html>bad gateway</html>',
  });
  expect(await failure(registry.diff(1, 2))).toMatchObject({ status: 200, code: 'INVALID_RESPONSE' });
});

test('no answer in time is TIMEOUT, no registry is UNREACHABLE, both with status 0', async () => {
  const slow = await failure(registry.listTokens({ timeoutMs: 50 }));
  expect(slow).toMatchObject({ status: 0, code: 'TIMEOUT' });
  expect(slow.message).toContain('within 50 ms');
  const nowhere = createRegistryClient({ registryUrl: 'http://127.0.0.1:9' });
  expect(await failure(nowhere.listTargets())).toMatchObject({ status: 0, code: 'UNREACHABLE' });
});
