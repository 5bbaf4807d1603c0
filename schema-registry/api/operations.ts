import { Hono } from 'hono';
import { documentsBody } from '../documents';
import { usageReport } from '../usage';
import type { Guard, RegistryDeps } from './deps';
import { body, fail, type RegistryEnv } from './http';

/** What gateways and clients send about operations: usage reports and trusted documents. */
export function operationRoutes(deps: RegistryDeps, guard: Guard) {
  const routes = new Hono<RegistryEnv>();

  routes.post('/targets/:target/usage', guard('usage'), async (c) => {
    const input = await body(c, usageReport);
    if (input instanceof Response) return input;
    return c.json(await deps.store.usage.record(c.req.param('target'), input), 202);
  });

  routes.post('/targets/:target/documents', guard('write'), async (c) => {
    const input = await body(c, documentsBody);
    if (input instanceof Response) return input;
    const target = c.req.param('target');
    const latest = await deps.store.latest(target);
    if (!latest)
      return fail(
        c,
        409,
        'NO_SUPERGRAPH',
        `Target ${target} has no supergraph to validate documents against: publish subgraphs first`,
      );
    const outcome = await deps.store.documents.publish(target, input, latest.apiSdl);
    const caller = c.get('caller');
    await deps.store.record({
      target,
      action: 'operations:publish',
      actor: 'name' in caller ? caller.name : null,
      token: caller.fingerprint,
      outcome: outcome.status === 'stored' ? 'published' : 'rejected',
      details: {
        client: input.client,
        documents: input.documents.length,
        version: latest.number,
        ...(outcome.status === 'stored' ? { stored: outcome.stored } : {}),
      },
    });
    if (outcome.status === 'invalid') {
      return fail(
        c,
        400,
        'INVALID_DOCUMENTS',
        `${outcome.problems.length} of ${input.documents.length} document(s) rejected against version ${latest.number}; nothing was stored`,
        outcome.problems,
      );
    }
    return c.json(
      { client: input.client, version: latest.number, stored: outcome.stored, unchanged: outcome.unchanged },
      outcome.stored ? 201 : 200,
    );
  });

  routes.get('/targets/:target/documents', guard('read'), async (c) =>
    c.json(await deps.store.documents.list(c.req.param('target'), c.req.query('client'))),
  );

  // Documents are immutable per hash: gateways may cache what they resolve here forever.
  routes.get('/targets/:target/documents/:hash', guard('read'), async (c) => {
    const document = await deps.store.documents.get(c.req.param('target'), c.req.param('hash'));
    if (document === null)
      return fail(c, 404, 'NOT_FOUND', `No trusted document ${c.req.param('hash')} in target ${c.req.param('target')}`);
    return c.text(document, 200, { 'Cache-Control': 'public, max-age=31536000, immutable' });
  });

  return routes;
}
