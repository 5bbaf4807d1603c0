import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { presentedToken } from '../access';
import { NAME_PATTERN, TARGET_NAME_RULE } from '../names';
import { adminRoutes } from './admin';
import { checkRunRoutes } from './check-runs';
import { contractRoutes } from './contracts';
import type { Guard, RegistryDeps } from './deps';
import { fail, type RegistryEnv } from './http';
import { operationRoutes } from './operations';
import { schemaRoutes } from './schema';

/** The registry's HTTP API, versioned under /v1 and documented in schema-registry/README.md. */
export function createRegistryApp(deps: RegistryDeps) {
  const app = new Hono<RegistryEnv>();

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

  const guard: Guard = (level) => async (c, next) => {
    const target = c.req.param('target');
    if (target !== undefined && !NAME_PATTERN.test(target))
      return fail(c, 400, 'BAD_REQUEST', `target ${TARGET_NAME_RULE}`);
    const decision = await deps.access.authorize(presentedToken(c.req.raw.headers), level, target);
    if (!decision.ok)
      return fail(c, decision.status, decision.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', decision.message);
    c.set('caller', decision.caller);
    if (target !== undefined) {
      const row = await deps.store.target(target);
      if (!row)
        return fail(
          c,
          404,
          'TARGET_NOT_FOUND',
          `No target "${target}": create it with \`autograph target:create ${target}\``,
        );
      c.set('target', row);
    }
    await next();
  };

  const v1 = new Hono<RegistryEnv>();
  v1.use(
    '*',
    bodyLimit({ maxSize: 5 * 1024 * 1024, onError: (c) => fail(c, 413, 'PAYLOAD_TOO_LARGE', 'Body over 5 MB') }),
  );
  v1.route('/', schemaRoutes(deps, guard));
  v1.route('/', operationRoutes(deps, guard));
  v1.route('/', adminRoutes(deps, guard));
  v1.route('/', checkRunRoutes(deps, guard));
  v1.route('/', contractRoutes(deps, guard));
  app.route('/v1', v1);
  return app;
}
