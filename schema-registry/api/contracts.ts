import { Hono } from 'hono';
import { z } from 'zod';
import { contractName } from '../names';
import type { Guard, RegistryDeps } from './deps';
import { body, fail, type RegistryContext, type RegistryEnv } from './http';
import { ifNoneMatch } from './etag';

const tag = z.string().regex(/^[A-Za-z_][\w-]{0,99}$/, 'tags are names: letters, digits, "_" and "-"');
const contractBody = z
  .object({
    name: contractName,
    includeTags: z.array(tag).max(50).default([]),
    excludeTags: z.array(tag).max(50).default([]),
    removeUnreachableTypes: z.boolean().default(true),
  })
  .refine((c) => c.includeTags.length + c.excludeTags.length > 0, 'give includeTags or excludeTags (or both)');

/**
 * Schema contracts: a target's supergraph filtered by `@tag`, composed on every change of the
 * target and served to gateways like the main supergraph (`REGISTRY_CONTRACT`).
 */
export function contractRoutes(deps: RegistryDeps, guard: Guard) {
  const routes = new Hono<RegistryEnv>();
  const note = (c: RegistryContext, action: string, outcome: string, details: Record<string, unknown>) =>
    deps.store.record({
      target: c.req.param('target')!,
      action,
      actor: null,
      token: c.get('caller').fingerprint,
      outcome,
      details,
    });

  routes.post('/targets/:target/contracts', guard('write'), async (c) => {
    const input = await body(c, contractBody);
    if (input instanceof Response) return input;
    const target = c.req.param('target');
    const created = await deps.store.createContract(target, input);
    if (created.status === 'exists')
      return fail(c, 409, 'CONTRACT_EXISTS', `Target ${target} already has a contract "${input.name}"`);
    if (created.status === 'rejected') {
      await note(c, 'contract:create', 'rejected', { ...input });
      return fail(c, 409, 'CONTRACT_COMPOSITION_FAILED', `Contract "${input.name}" does not compose`, {
        errors: created.errors,
      });
    }
    await note(c, 'contract:create', 'done', { ...input, version: created.version });
    return c.json({ ...input, version: created.version }, 201);
  });

  routes.get('/targets/:target/contracts', guard('read'), async (c) =>
    c.json(await deps.store.contracts.list(c.req.param('target'))),
  );

  routes.delete('/targets/:target/contracts/:name', guard('write'), async (c) => {
    const { target, name } = c.req.param();
    if (!(await deps.store.contracts.remove(target, name)))
      return fail(c, 404, 'NOT_FOUND', `Target ${target} has no contract "${name}"`);
    await note(c, 'contract:delete', 'done', { name });
    return c.json({ deleted: name });
  });

  routes.get('/targets/:target/contracts/:name/supergraph', guard('read'), async (c) => {
    const { target, name } = c.req.param();
    const latest = await deps.store.contracts.latest(target, name);
    if (latest === undefined) return fail(c, 404, 'NOT_FOUND', `Target ${target} has no contract "${name}"`);
    if (latest === null)
      return fail(c, 404, 'NO_SUPERGRAPH', `Contract "${name}" has no supergraph yet: publish a subgraph first`);
    const etag = `"${latest.hash}"`;
    const headers = { ETag: etag, 'X-Autograph-Version': String(latest.number), 'Cache-Control': 'no-cache' };
    if (ifNoneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    return c.text(latest.supergraphSdl, 200, headers);
  });

  return routes;
}
