import { Hono } from 'hono';
import { z } from 'zod';
import { presentedToken } from '../access';
import { diffSchemas } from '../checks';
import type { ChangeOutcome } from '../store';
import { governanceBlocking, governanceReasons } from './governance';
import { registryMetrics, type ChangeAction } from '../metrics';
import type { Guard, RegistryDeps } from './deps';
import { ifNoneMatch } from './etag';
import { subgraphName, targetName } from '../names';
import {
  body,
  fail,
  hostError,
  idNumber,
  intParam,
  isId,
  limitParam,
  refuse,
  sdlError,
  type RegistryContext,
  type RegistryEnv,
} from './http';

const routingUrl = z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' });
const meta = {
  author: z.string().max(200).optional(),
  commit: z.string().max(200).optional(),
  force: z.boolean().optional(),
};
const publishBody = z.object({
  name: subgraphName,
  url: routingUrl,
  sdl: z.string().min(1, 'sdl must not be empty'),
  ...meta,
});
const checkBody = z.object({
  name: subgraphName,
  url: routingUrl.optional(),
  sdl: z.string().min(1, 'sdl must not be empty'),
  author: meta.author,
  commit: meta.commit,
});
const rollbackBody = z.object({ version: idNumber, ...meta });
const promoteBody = z.object({ version: idNumber, to: targetName, ...meta });

/** How a change outcome answers over HTTP: 400 over a limit, 409 with the full report when rejected. */
function answer(c: RegistryContext, outcome: ChangeOutcome) {
  if (outcome.status === 'refused') return refuse(c, outcome.refusal);
  if (outcome.status === 'rejected') {
    const { report } = outcome;
    if (!report.composition.ok) return fail(c, 409, 'COMPOSITION_FAILED', 'The subgraphs do not compose', report);
    const brokenContracts = report.contracts?.filter((contract) => !contract.composition.ok) ?? [];
    if (brokenContracts.length)
      return fail(
        c,
        409,
        'CONTRACT_COMPOSITION_FAILED',
        `Contract(s) ${brokenContracts.map((contract) => contract.name).join(', ')} would not compose`,
        report,
      );
    const documents = report.documents?.broken.length ?? 0;
    const governance = governanceBlocking(report);
    const reasons = [
      report.blocking - documents - governance > 0 &&
        `${report.blocking - documents - governance} breaking change(s) used by clients`,
      documents > 0 && `${documents} trusted document(s) broken`,
      ...governanceReasons(report),
    ].filter(Boolean);
    return fail(c, 409, 'BREAKING_CHANGES', `${reasons.join(' and ')}; pass force to accept`, report);
  }
  const published = outcome.status === 'published';
  return c.json(
    {
      status: outcome.status,
      changed: published,
      version: outcome.version,
      supergraphHash: published ? outcome.hash : null,
      report: outcome.report,
    },
    published ? 201 : 200,
  );
}

/** Subgraph schemas, checks, versions and their artifacts. */
export function schemaRoutes(deps: RegistryDeps, guard: Guard) {
  const routes = new Hono<RegistryEnv>();
  const SUBGRAPH_HOSTS = 'REGISTRY_ALLOWED_SUBGRAPH_HOSTS';
  const metrics = registryMetrics();
  /** Counts a write refused before it reached the store, and answers it. */
  const refusedChange = (action: ChangeAction, response: Response) => {
    metrics.change(action, 'refused');
    return response;
  };

  /**
   * 400 HOST_NOT_ALLOWED when a routing URL points where the gateway must not send users' tokens;
   * a refused write is audited in the target it would have changed (with the host, not the URL).
   */
  const routingUrlError = async (
    c: RegistryContext,
    subgraphs: { name: string; url: string }[],
    write?: { action: ChangeAction; target: string },
  ) => {
    for (const subgraph of subgraphs) {
      const refused = hostError(c, subgraph.url, deps.allowedHosts.subgraphs, SUBGRAPH_HOSTS);
      if (!refused) continue;
      if (write) {
        const caller = c.get('caller');
        const host = new URL(subgraph.url).host;
        await deps.store.record({
          ...write,
          actor: 'name' in caller ? caller.name : null,
          token: caller.fingerprint,
          outcome: 'refused',
          details: { subgraph: subgraph.name, host },
        });
        deps.logger.warn({ ...write, subgraph: subgraph.name, host }, 'routing URL refused: host not allowed');
        metrics.change(write.action, 'refused');
      }
      return refused;
    }
    return null;
  };

  /** Records a write (also a refused one), tells webhooks, then answers it. */
  const settle = async (
    c: RegistryContext,
    action: ChangeAction,
    author: string | undefined,
    outcome: ChangeOutcome,
    details: Record<string, unknown>,
    target = c.req.param('target')!,
  ) => {
    if (outcome.status !== 'checked') metrics.change(action, outcome.status);
    const caller = c.get('caller');
    const version = 'version' in outcome ? outcome.version : null;
    const actor = author ?? ('name' in caller ? caller.name : null);
    await deps.store.record({
      target,
      action,
      actor,
      token: caller.fingerprint,
      outcome: outcome.status,
      details: { ...details, version },
    });
    if (outcome.status === 'published') {
      void deps.webhooks.emit(target, 'version.published', {
        action,
        version,
        supergraphHash: outcome.hash,
        author: actor,
        ...details,
        changes: outcome.report.apiChanges,
      });
    } else if (outcome.status === 'rejected') {
      void deps.webhooks.emit(target, 'check.failed', { action, author: actor, ...details, report: outcome.report });
    }
    return answer(c, outcome);
  };

  routes.post('/targets/:target/subgraphs', guard('write'), async (c) => {
    const input = await body(c, publishBody);
    if (input instanceof Response) return refusedChange('publish', input);
    const invalidSdl = sdlError(c, input.sdl, deps.limits);
    if (invalidSdl) return refusedChange('publish', invalidSdl);
    const invalid = await routingUrlError(c, [input], { action: 'publish', target: c.req.param('target') });
    if (invalid) return invalid;
    const target = c.req.param('target');
    const outcome = await deps.store.publish(target, { name: input.name, url: input.url, sdl: input.sdl }, input);
    deps.logger.info(
      { target, subgraph: input.name, status: outcome.status, author: input.author, forced: input.force },
      'publish',
    );
    return settle(c, 'publish', input.author, outcome, {
      subgraph: input.name,
      url: input.url,
      commit: input.commit,
      force: input.force ?? false,
    });
  });

  routes.post('/targets/:target/checks', guard('write'), async (c) => {
    const refusedCheck = (response: Response) => {
      metrics.check('refused');
      return response;
    };
    const input = await body(c, checkBody);
    if (input instanceof Response) return refusedCheck(input);
    const invalid =
      sdlError(c, input.sdl, deps.limits) ??
      (input.url ? await routingUrlError(c, [{ name: input.name, url: input.url }]) : null);
    if (invalid) return refusedCheck(invalid);
    const target = c.req.param('target');
    const existing = (await deps.store.listSubgraphs(target)).find((s) => s.name === input.name);
    const url = input.url ?? existing?.url ?? `http://${input.name}.invalid/graphql`;
    const outcome = await deps.store.publish(
      target,
      { name: input.name, url, sdl: input.sdl },
      { author: input.author, commit: input.commit, dryRun: true },
    );
    if (outcome.status === 'refused') return refusedCheck(refuse(c, outcome.refusal));
    const ok = outcome.status !== 'rejected';
    metrics.check(ok ? 'passed' : 'failed');
    if (!ok)
      void deps.webhooks.emit(target, 'check.failed', {
        action: 'check',
        subgraph: input.name,
        report: outcome.report,
      });
    return c.json({ ok, report: outcome.report });
  });

  routes.delete('/targets/:target/subgraphs/:name', guard('write'), async (c) => {
    const { target, name } = c.req.param();
    const flag = (key: string) => ['1', 'true'].includes(c.req.query(key) ?? '');
    const outcome = await deps.store.remove(target, name, {
      dryRun: flag('dryRun'),
      force: flag('force'),
      author: c.req.query('author'),
    });
    if (outcome.status === 'missing') return fail(c, 404, 'NOT_FOUND', `No subgraph ${name} in target ${target}`);
    if (flag('dryRun')) return answer(c, outcome);
    return settle(c, 'delete', c.req.query('author'), outcome, { subgraph: name, force: flag('force') });
  });

  routes.post('/targets/:target/rollback', guard('write'), async (c) => {
    const input = await body(c, rollbackBody);
    if (input instanceof Response) return input;
    const target = c.req.param('target');
    // A version published before the allow-list (or under a wider one) must not bring its URLs back.
    const restored = await deps.store.version(target, input.version);
    const refused = restored && (await routingUrlError(c, restored.subgraphs, { action: 'rollback', target }));
    if (refused) return refused;
    const outcome = await deps.store.rollback(target, input.version, input);
    if (outcome.status === 'missing')
      return fail(c, 404, 'NOT_FOUND', `Target ${target} has no version ${input.version}`);
    return settle(c, 'rollback', input.author, outcome, { to: input.version });
  });

  // Promotion writes to `to`: it needs write access there (checked here) and read access on the source.
  routes.post('/targets/:target/promote', guard('read'), async (c) => {
    const input = await body(c, promoteBody);
    if (input instanceof Response) return input;
    const from = c.req.param('target');
    if (input.to === from) return fail(c, 400, 'BAD_REQUEST', 'to must name another target');
    const decision = await deps.access.authorize(presentedToken(c.req.raw.headers), 'write', input.to);
    if (!decision.ok)
      return fail(c, decision.status, decision.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', decision.message);
    if (!(await deps.store.target(input.to)))
      return fail(
        c,
        404,
        'TARGET_NOT_FOUND',
        `No target "${input.to}": create it with \`autograph target:create ${input.to}\``,
      );
    const promoted = await deps.store.version(from, input.version);
    const refused = promoted && (await routingUrlError(c, promoted.subgraphs, { action: 'promote', target: input.to }));
    if (refused) return refused;
    const outcome = await deps.store.promote(from, input.version, input.to, input);
    if (outcome.status === 'missing')
      return fail(c, 404, 'NOT_FOUND', `Target ${from} has no version ${input.version}`);
    return settle(
      c,
      'promote',
      input.author,
      outcome,
      { from, version: input.version, force: input.force ?? false },
      input.to,
    );
  });

  routes.get('/targets/:target/versions', guard('read'), async (c) => {
    const rows = await deps.store.history(c.req.param('target'), limitParam(c, 50, 500));
    return c.json(rows.map(({ subgraphs, ...row }) => ({ ...row, subgraphs: subgraphs.map((s) => s.name) })));
  });

  const versionOf = async (c: RegistryContext) => {
    const number = intParam(c, 'version');
    if (number instanceof Response) return number;
    const version = await deps.store.version(c.req.param('target')!, number);
    return version ?? fail(c, 404, 'NOT_FOUND', `Target ${c.req.param('target')} has no version ${number}`);
  };

  // Versions never change: their artifacts can be cached forever.
  const immutable = { 'Cache-Control': 'public, max-age=31536000, immutable' };
  routes.get('/targets/:target/versions/:version/supergraph', guard('read'), async (c) => {
    const version = await versionOf(c);
    if (version instanceof Response) return version;
    return c.text(version.supergraphSdl, 200, {
      ...immutable,
      ETag: `"${version.hash}"`,
      'X-Autograph-Version': String(version.number),
    });
  });

  routes.get('/targets/:target/versions/:version/api-schema', guard('read'), async (c) => {
    const version = await versionOf(c);
    return version instanceof Response ? version : c.text(version.apiSdl, 200, immutable);
  });

  routes.get('/targets/:target/versions/:version/subgraphs', guard('read'), async (c) => {
    const version = await versionOf(c);
    return version instanceof Response ? version : c.json(version.subgraphs, 200, immutable);
  });

  routes.get('/targets/:target/diff', guard('read'), async (c) => {
    const target = c.req.param('target');
    const [from, to] = [Number(c.req.query('from')), Number(c.req.query('to'))];
    if (![from, to].every(isId)) return fail(c, 400, 'BAD_REQUEST', 'from and to must be version numbers');
    const [a, b] = await Promise.all([deps.store.version(target, from), deps.store.version(target, to)]);
    if (!a || !b) return fail(c, 404, 'NOT_FOUND', `Target ${target} has no version ${!a ? from : to}`);
    return c.json({ from, to, changes: await diffSchemas(a.apiSdl, b.apiSdl) });
  });

  routes.get('/targets/:target/subgraphs', guard('read'), async (c) => {
    const rows = await deps.store.listSubgraphs(c.req.param('target'));
    return c.json(rows.map(({ name, url, sdl, updatedAt }) => ({ name, url, sdl, updatedAt })));
  });

  routes.get('/targets/:target/supergraph', guard('read'), async (c) => {
    const latest = await deps.store.latest(c.req.param('target'));
    if (!latest)
      return fail(
        c,
        404,
        'NO_SUPERGRAPH',
        `Target ${c.req.param('target')} has no supergraph yet: publish a subgraph first`,
      );
    const etag = `"${latest.hash}"`;
    const headers = { ETag: etag, 'X-Autograph-Version': String(latest.number), 'Cache-Control': 'no-cache' };
    if (ifNoneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    return c.text(latest.supergraphSdl, 200, headers);
  });

  return routes;
}
