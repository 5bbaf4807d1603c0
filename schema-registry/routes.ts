import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../kit/log';
import { checkSdl } from './compose';
import type { Store } from './store';

export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_REQUEST' | 'INVALID_SDL' | 'COMPOSITION_FAILED' | 'NOT_FOUND' | 'NO_SUPERGRAPH' | 'PAYLOAD_TOO_LARGE' | 'INTERNAL';

const fail = (c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 500, code: ErrorCode, message: string, details?: unknown) =>
  c.json({ error: { code, message, ...(details ? { details } : {}) } }, status);

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

const publishBody = z.object({
  name: z.string().regex(NAME, 'name must be lower-case letters, digits and dashes, starting with a letter'),
  url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }),
  sdl: z.string().min(1, 'sdl must not be empty'),
  author: z.string().max(200).optional(),
});

/** The registry's HTTP API, versioned under /v1. Reads are open; writes need the admin token. */
export function createRegistryApp(deps: { store: Store; adminToken?: string; logger: Logger; ready: () => Promise<boolean> }) {
  const app = new Hono();

  app.onError((error, c) => {
    deps.logger.error({ err: error }, 'registry request failed');
    return fail(c, 500, 'INTERNAL', 'Internal error; see the registry logs');
  });
  app.notFound((c) => fail(c, 404, 'NOT_FOUND', `No route ${c.req.method} ${c.req.path}`));

  app.get('/healthcheck', (c) => c.json({ status: 'ok' }));
  app.get('/readiness', async (c) => {
    const ready = await deps.ready().catch(() => false);
    return c.json({ ready }, ready ? 200 : 503);
  });

  const requireAdmin = async (c: Context, next: () => Promise<void>) => {
    if (!deps.adminToken) return next(); // open dev mode, announced at start
    const header = c.req.header('authorization');
    if (!header) return fail(c, 401, 'UNAUTHENTICATED', 'Writes need "Authorization: Bearer <registry token>"');
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? '';
    if (!safeEqual(token, deps.adminToken)) return fail(c, 403, 'FORBIDDEN', 'The token is not valid for writes');
    return next();
  };

  const v1 = new Hono();
  v1.use('*', bodyLimit({ maxSize: 5 * 1024 * 1024, onError: (c) => fail(c, 413, 'PAYLOAD_TOO_LARGE', 'Body over 5 MB') }));
  v1.use('/targets/:target/*', async (c, next) => {
    if (!NAME.test(c.req.param('target'))) return fail(c, 400, 'BAD_REQUEST', 'target must be lower-case letters, digits and dashes');
    return next();
  });

  v1.post('/targets/:target/subgraphs', requireAdmin, async (c) => {
    const parsed = publishBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return fail(c, 400, 'BAD_REQUEST', parsed.error.issues.map((i) => i.message).join('; '));
    const { name, url, sdl, author } = parsed.data;
    const syntax = checkSdl(sdl);
    if (!syntax.ok) {
      const where = syntax.line ? ` at line ${syntax.line}, column ${syntax.column}` : '';
      return fail(c, 400, 'INVALID_SDL', `${syntax.message}${where}`, { line: syntax.line, column: syntax.column });
    }
    const target = c.req.param('target') as string;
    const result = await deps.store.publish(target, { name, url, sdl }, author);
    if (!result.ok) return fail(c, 409, 'COMPOSITION_FAILED', `${name} does not compose with the other subgraphs`, result.errors);
    deps.logger.info({ target, subgraph: name, version: result.version, changed: result.changed }, 'publish');
    return c.json({ changed: result.changed, version: result.version, supergraphHash: result.hash }, result.changed ? 201 : 200);
  });

  v1.delete('/targets/:target/subgraphs/:name', requireAdmin, async (c) => {
    const { target, name } = c.req.param() as { target: string; name: string };
    const result = await deps.store.remove(target, name);
    if (result.ok === 'missing') return fail(c, 404, 'NOT_FOUND', `No subgraph ${name} in this target`);
    if (!result.ok) return fail(c, 409, 'COMPOSITION_FAILED', 'The remaining subgraphs do not compose without it', result.errors);
    return c.json({ changed: result.changed, version: result.version, supergraphHash: result.hash });
  });

  v1.get('/targets/:target/subgraphs', async (c) => {
    const rows = await deps.store.listSubgraphs(c.req.param('target'));
    return c.json(rows.map(({ name, url, sdl, updatedAt }) => ({ name, url, sdl, updatedAt })));
  });

  v1.get('/targets/:target/supergraph', async (c) => {
    const latest = await deps.store.latest(c.req.param('target'));
    if (!latest) return fail(c, 404, 'NO_SUPERGRAPH', `Target ${c.req.param('target')} has no supergraph yet: publish a subgraph first`);
    const etag = `"${latest.hash}"`;
    const headers = { ETag: etag, 'X-Autograph-Version': String(latest.number), 'Cache-Control': 'no-cache' };
    if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    return c.text(latest.supergraphSdl, 200, headers);
  });

  app.route('/v1', v1);
  return app;
}

function matches(ifNoneMatch: string | undefined, etag: string) {
  return ifNoneMatch?.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag) ?? false;
}

function safeEqual(a: string, b: string) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
