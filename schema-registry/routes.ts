import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../kit/log';
import { checkSdl } from './compose';
import { diffSchemas } from './checks';
import type { ChangeOutcome, Store } from './store';

export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_REQUEST' | 'INVALID_SDL' | 'COMPOSITION_FAILED' | 'BREAKING_CHANGES' | 'NOT_FOUND' | 'NO_SUPERGRAPH' | 'PAYLOAD_TOO_LARGE' | 'INTERNAL';

const fail = (c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 500, code: ErrorCode, message: string, details?: unknown) =>
  c.json({ error: { code, message, ...(details ? { details } : {}) } }, status);

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

const subgraphName = z.string().regex(NAME, 'name must be lower-case letters, digits and dashes, starting with a letter');
const routingUrl = z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' });
const meta = { author: z.string().max(200).optional(), commit: z.string().max(200).optional(), force: z.boolean().optional() };
const publishBody = z.object({ name: subgraphName, url: routingUrl, sdl: z.string().min(1, 'sdl must not be empty'), ...meta });
const checkBody = z.object({ name: subgraphName, url: routingUrl.optional(), sdl: z.string().min(1, 'sdl must not be empty') });
const rollbackBody = z.object({ version: z.number().int().positive(), ...meta });
const promoteBody = z.object({ version: z.number().int().positive(), to: z.string().regex(NAME, 'to must be a target name'), ...meta });

/** Which token authorised a write, without storing the token: a short SHA-256 fingerprint. */
const tokenFingerprint = (c: Context) => {
  const token = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  return token ? `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}` : 'none';
};

/** How a change outcome answers over HTTP: 409 with the full report when refused. */
function answer(c: Context, outcome: ChangeOutcome) {
  if (outcome.status === 'rejected') {
    const composition = !outcome.report.composition.ok;
    return fail(
      c,
      409,
      composition ? 'COMPOSITION_FAILED' : 'BREAKING_CHANGES',
      composition
        ? 'The subgraphs do not compose'
        : `${outcome.report.breaking} breaking change(s) for clients; pass force to accept them`,
      outcome.report,
    );
  }
  const published = outcome.status === 'published';
  return c.json(
    { status: outcome.status, changed: published, version: outcome.version, supergraphHash: published ? outcome.hash : null, report: outcome.report },
    published ? 201 : 200,
  );
}

async function body<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T> | Response> {
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  return parsed.success ? parsed.data : fail(c, 400, 'BAD_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
}

function sdlError(c: Context, sdl: string) {
  const syntax = checkSdl(sdl);
  if (syntax.ok) return null;
  const where = syntax.line ? ` at line ${syntax.line}, column ${syntax.column}` : '';
  return fail(c, 400, 'INVALID_SDL', `${syntax.message}${where}`, { line: syntax.line, column: syntax.column });
}

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

  /** Records a write (also a refused one) in the audit log, then answers it. */
  const audited = async (c: Context, action: string, actor: string | undefined, outcome: ChangeOutcome | { status: 'missing' }, details: Record<string, unknown>, target = c.req.param('target') as string) => {
    const version = 'version' in outcome ? outcome.version : null;
    await deps.store.record({ target, action, actor: actor ?? null, token: tokenFingerprint(c), outcome: outcome.status, details: { ...details, version } });
    return outcome.status === 'missing' ? null : answer(c, outcome);
  };

  const v1 = new Hono();
  v1.use('*', bodyLimit({ maxSize: 5 * 1024 * 1024, onError: (c) => fail(c, 413, 'PAYLOAD_TOO_LARGE', 'Body over 5 MB') }));
  v1.use('/targets/:target/*', async (c, next) => {
    if (!NAME.test(c.req.param('target'))) return fail(c, 400, 'BAD_REQUEST', 'target must be lower-case letters, digits and dashes');
    return next();
  });

  v1.post('/targets/:target/subgraphs', requireAdmin, async (c) => {
    const input = await body(c, publishBody);
    if (input instanceof Response) return input;
    const invalid = sdlError(c, input.sdl);
    if (invalid) return invalid;
    const target = c.req.param('target') as string;
    const outcome = await deps.store.publish(target, { name: input.name, url: input.url, sdl: input.sdl }, input);
    deps.logger.info({ target, subgraph: input.name, status: outcome.status, author: input.author, forced: input.force }, 'publish');
    return (await audited(c, 'publish', input.author, outcome, { subgraph: input.name, url: input.url, commit: input.commit, force: input.force ?? false }))!;
  });

  v1.post('/targets/:target/checks', requireAdmin, async (c) => {
    const input = await body(c, checkBody);
    if (input instanceof Response) return input;
    const invalid = sdlError(c, input.sdl);
    if (invalid) return invalid;
    const target = c.req.param('target') as string;
    const existing = (await deps.store.listSubgraphs(target)).find((s) => s.name === input.name);
    const url = input.url ?? existing?.url ?? `http://${input.name}.invalid/graphql`;
    const outcome = await deps.store.publish(target, { name: input.name, url, sdl: input.sdl }, { dryRun: true });
    return c.json({ ok: outcome.status !== 'rejected', report: outcome.report });
  });

  v1.delete('/targets/:target/subgraphs/:name', requireAdmin, async (c) => {
    const { target, name } = c.req.param() as { target: string; name: string };
    const flag = (key: string) => ['1', 'true'].includes(c.req.query(key) ?? '');
    const outcome = await deps.store.remove(target, name, { dryRun: flag('dryRun'), force: flag('force'), author: c.req.query('author') });
    if (flag('dryRun') && outcome.status !== 'missing') return answer(c, outcome);
    return (await audited(c, 'delete', c.req.query('author'), outcome, { subgraph: name, force: flag('force') })) ?? fail(c, 404, 'NOT_FOUND', `No subgraph ${name} in target ${target}`);
  });

  v1.post('/targets/:target/rollback', requireAdmin, async (c) => {
    const input = await body(c, rollbackBody);
    if (input instanceof Response) return input;
    const target = c.req.param('target') as string;
    const outcome = await deps.store.rollback(target, input.version, input);
    return (await audited(c, 'rollback', input.author, outcome, { to: input.version })) ?? fail(c, 404, 'NOT_FOUND', `Target ${target} has no version ${input.version}`);
  });

  v1.post('/targets/:target/promote', requireAdmin, async (c) => {
    const input = await body(c, promoteBody);
    if (input instanceof Response) return input;
    const from = c.req.param('target') as string;
    if (input.to === from) return fail(c, 400, 'BAD_REQUEST', 'to must name another target');
    const outcome = await deps.store.promote(from, input.version, input.to, input);
    return (await audited(c, 'promote', input.author, outcome, { from, version: input.version, force: input.force ?? false }, input.to)) ?? fail(c, 404, 'NOT_FOUND', `Target ${from} has no version ${input.version}`);
  });

  v1.get('/targets/:target/versions', async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 50) || 50, 1), 500);
    const rows = await deps.store.history(c.req.param('target') as string, limit);
    return c.json(rows.map(({ subgraphs, ...row }) => ({ ...row, subgraphs: subgraphs.map((s) => s.name) })));
  });

  const versionOf = async (c: Context) => {
    const number = Number(c.req.param('version'));
    if (!Number.isInteger(number) || number < 1) return fail(c, 400, 'BAD_REQUEST', 'version must be a positive integer');
    const version = await deps.store.version(c.req.param('target') as string, number);
    return version ?? fail(c, 404, 'NOT_FOUND', `Target ${c.req.param('target')} has no version ${number}`);
  };

  // Versions never change: their artifacts can be cached forever.
  v1.get('/targets/:target/versions/:version/supergraph', async (c) => {
    const version = await versionOf(c);
    if (version instanceof Response) return version;
    return c.text(version.supergraphSdl, 200, {
      ETag: `"${version.hash}"`,
      'X-Autograph-Version': String(version.number),
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });

  v1.get('/targets/:target/versions/:version/api-schema', async (c) => {
    const version = await versionOf(c);
    if (version instanceof Response) return version;
    return c.text(version.apiSdl, 200, { 'Cache-Control': 'public, max-age=31536000, immutable' });
  });

  v1.get('/targets/:target/versions/:version/subgraphs', async (c) => {
    const version = await versionOf(c);
    if (version instanceof Response) return version;
    return c.json(version.subgraphs, 200, { 'Cache-Control': 'public, max-age=31536000, immutable' });
  });

  v1.get('/targets/:target/diff', async (c) => {
    const target = c.req.param('target') as string;
    const [from, to] = [Number(c.req.query('from')), Number(c.req.query('to'))];
    if (![from, to].every((n) => Number.isInteger(n) && n > 0)) return fail(c, 400, 'BAD_REQUEST', 'from and to must be version numbers');
    const [a, b] = await Promise.all([deps.store.version(target, from), deps.store.version(target, to)]);
    if (!a || !b) return fail(c, 404, 'NOT_FOUND', `Target ${target} has no version ${!a ? from : to}`);
    return c.json({ from, to, changes: await diffSchemas(a.apiSdl, b.apiSdl) });
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

  v1.get('/audit', requireAdmin, async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 1000);
    const target = c.req.query('target');
    if (target !== undefined && !NAME.test(target)) return fail(c, 400, 'BAD_REQUEST', 'target must be a target name');
    return c.json(await deps.store.auditLog(target, limit));
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
