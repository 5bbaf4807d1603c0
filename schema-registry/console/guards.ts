import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import { NAME_PATTERN } from '../names';
import type { ConsoleDeps } from './deps';
import { problem } from './layout';
import { SESSION_COOKIE } from './session';
import { canSee, type ConsoleEnv } from './viewer';

/** Sends the browser to sign in (htmx follows HX-Redirect instead of swapping the login page into a fragment). */
function toLogin(c: Context) {
  deleteCookie(c, SESSION_COOKIE, { path: '/console' });
  if (c.req.header('hx-request')) return c.body(null, 200, { 'HX-Redirect': '/console/login' });
  return c.redirect('/console/login', 303);
}

/**
 * Every page but sign-in: opens the session cookie and asks the registry's access rules who the
 * token belongs to now (a revoked token or an expired session signs out); POSTs must carry the
 * session's CSRF token (form field `_csrf` or header `X-CSRF-Token`).
 */
export function requireViewer(deps: ConsoleDeps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const session = deps.sessions.open(getCookie(c, SESSION_COOKIE));
    const caller = session && (await deps.access.identify(session.token));
    if (!session || !caller) return toLogin(c);
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const submitted = (form._csrf as string | undefined) ?? c.req.header('x-csrf-token');
      if (!deps.sessions.validCsrf(session, submitted))
        return problem(c, 403, 'Refused: the form is missing its CSRF token, or the token belongs to another session');
    }
    c.set('viewer', { caller, session, csrf: deps.sessions.csrfToken(session) });
    await next();
  };
}

/** Pages under /t/:target: a known target this viewer may see. */
export function requireTarget(deps: ConsoleDeps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const name = c.req.param('target') ?? '';
    if (!NAME_PATTERN.test(name) || !canSee(c.get('viewer'), name))
      return problem(c, 403, `This token cannot see target "${name}"`);
    const target = await deps.store.target(name);
    if (!target) return problem(c, 404, `No target "${name}"`);
    c.set('target', target);
    await next();
  };
}
