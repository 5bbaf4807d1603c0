import { Hono } from 'hono';
import { z } from 'zod';
import { TOKEN_KINDS } from '../access';
import { policyRules } from '../checks/policy-config';
import { WEBHOOK_EVENTS } from '../webhooks';
import type { Guard, RegistryDeps } from './deps';
import { NAME_PATTERN, TARGET_NAME_RULE, targetName } from '../names';
import { body, fail, hostError, intParam, limitParam, type RegistryContext, type RegistryEnv } from './http';

const settings = {
  usageWindowDays: z.number().int().min(1).max(90).optional(),
  usageThresholdPercent: z.number().min(0).max(100).optional(),
  planCheckOperations: z.number().int().min(0).max(500).optional(),
  policy: policyRules.optional(),
};
const targetBody = z.object({ name: targetName, ...settings });
const settingsBody = z.object(settings).strict();
const tokenBody = z.object({ kind: z.enum(TOKEN_KINDS), name: z.string().min(1).max(100) });
const webhookBody = z.object({
  url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).default(WEBHOOK_EVENTS),
  secret: z.string().min(16, 'secret must be at least 16 characters').optional(),
});

/** Targets and their settings, tokens, webhooks, and the audit log: the admin token's business. */
export function adminRoutes(deps: RegistryDeps, guard: Guard) {
  const routes = new Hono<RegistryEnv>();
  const note = (c: RegistryContext, target: string, action: string, details: Record<string, unknown>) =>
    deps.store.record({ target, action, actor: null, token: c.get('caller').fingerprint, outcome: 'done', details });

  routes.post('/targets', guard('admin'), async (c) => {
    const input = await body(c, targetBody);
    if (input instanceof Response) return input;
    const { name, ...rest } = input;
    const created = await deps.store.createTarget(name, rest);
    if (!created) return fail(c, 409, 'TARGET_EXISTS', `Target "${name}" already exists`);
    await note(c, name, 'target:create', rest);
    return c.json(created, 201);
  });

  routes.get('/targets', guard('admin'), async (c) => c.json(await deps.store.listTargets()));
  routes.get('/targets/:target', guard('read'), (c) => c.json(c.get('target')));

  routes.patch('/targets/:target', guard('admin'), async (c) => {
    const input = await body(c, settingsBody);
    if (input instanceof Response) return input;
    await note(c, c.req.param('target'), 'target:update', input);
    return c.json(await deps.store.updateTarget(c.req.param('target'), input));
  });

  routes.post('/targets/:target/tokens', guard('admin'), async (c) => {
    const input = await body(c, tokenBody);
    if (input instanceof Response) return input;
    const issued = await deps.access.issue(c.req.param('target'), input.kind, input.name);
    await note(c, issued.target, 'token:create', { id: issued.id, kind: issued.kind, name: issued.name });
    return c.json(issued, 201);
  });

  routes.get('/targets/:target/tokens', guard('admin'), async (c) =>
    c.json(await deps.access.list(c.req.param('target'))),
  );

  /** DELETE …/:id for tokens and webhooks: 404 when there is nothing to remove, audited when there is. */
  const removal = (
    path: string,
    action: string,
    what: string,
    remove: (target: string, id: number) => Promise<boolean>,
    result: string,
  ) =>
    routes.delete(path, guard('admin'), async (c) => {
      const id = intParam(c, 'id');
      if (id instanceof Response) return id;
      if (!(await remove(c.req.param('target')!, id)))
        return fail(c, 404, 'NOT_FOUND', `No ${what} ${id} in target ${c.req.param('target')}`);
      await note(c, c.req.param('target')!, action, { id });
      return c.json({ [result]: id });
    });

  removal('/targets/:target/tokens/:id', 'token:revoke', 'active token', deps.access.revoke, 'revoked');

  routes.post('/targets/:target/webhooks', guard('admin'), async (c) => {
    const input = await body(c, webhookBody);
    if (input instanceof Response) return input;
    // Only the host is ever logged or audited: a webhook URL's path or query often carries a secret.
    const host = new URL(input.url).host;
    const refused = hostError(c, input.url, deps.allowedHosts.webhooks, 'REGISTRY_ALLOWED_WEBHOOK_HOSTS');
    if (refused) {
      await deps.store.record({
        target: c.req.param('target'),
        action: 'webhook:create',
        actor: null,
        token: c.get('caller').fingerprint,
        outcome: 'refused',
        details: { host },
      });
      deps.logger.warn({ target: c.req.param('target'), host }, 'webhook refused: host not allowed');
      return refused;
    }
    const hook = await deps.webhooks.add(c.req.param('target'), input.url, input.events, input.secret);
    await note(c, hook.target, 'webhook:create', { id: hook.id, host, events: hook.events });
    return c.json(hook, 201);
  });

  routes.get('/targets/:target/webhooks', guard('admin'), async (c) =>
    c.json(await deps.webhooks.list(c.req.param('target'))),
  );

  removal('/targets/:target/webhooks/:id', 'webhook:delete', 'webhook', deps.webhooks.remove, 'deleted');

  routes.get('/targets/:target/webhooks/:id/deliveries', guard('admin'), async (c) => {
    const id = intParam(c, 'id');
    if (id instanceof Response) return id;
    return c.json(await deps.webhooks.deliveries(c.req.param('target'), id, limitParam(c, 50, 500)));
  });

  routes.get('/audit', guard('admin'), async (c) => {
    const target = c.req.query('target');
    if (target !== undefined && !NAME_PATTERN.test(target))
      return fail(c, 400, 'BAD_REQUEST', `target ${TARGET_NAME_RULE}`);
    return c.json(await deps.store.auditLog(target, limitParam(c, 100, 1000)));
  });

  return routes;
}
