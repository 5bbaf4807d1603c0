import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { Bare } from '../layout';
import type { ConsoleDeps } from '../deps';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../session';

/** Sign-in: a registry token, the admin token or a target's read, usage or write token. */
export const loginPage = (c: Context, error?: string, status: 200 | 401 = 200) =>
  c.html(
    <Bare title="Sign in">
      <p>Sign in with a registry token: the admin token, or a target's read, usage or write token.</p>
      {error && <p class="error">{error}</p>}
      <form method="post" action="/console/login">
        <label>
          Token <input type="password" name="token" autocomplete="off" required autofocus />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </Bare>,
    status,
  );

/** The secure flag needs HTTPS; behind a TLS-terminating proxy X-Forwarded-Proto tells. */
const overHttps = (c: Context) =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

export async function signIn(c: Context, deps: ConsoleDeps) {
  const form = await c.req.parseBody();
  const token = typeof form.token === 'string' ? form.token.trim() : '';
  const caller = token ? await deps.access.identify(token) : null;
  if (!caller) {
    deps.logger.warn('console sign-in refused: unknown or revoked token');
    return loginPage(c, 'That token is not valid (unknown or revoked).', 401);
  }
  const { cookie } = deps.sessions.start(token);
  setCookie(c, SESSION_COOKIE, cookie, {
    path: '/console',
    httpOnly: true,
    sameSite: 'Strict',
    secure: overHttps(c),
    maxAge: SESSION_TTL_MS / 1000,
  });
  deps.logger.info({ token: caller.fingerprint, kind: caller.kind }, 'console sign-in');
  return c.redirect(
    caller.kind === 'admin' || caller.kind === 'open' ? '/console/' : `/console/t/${caller.target}/versions`,
    303,
  );
}

export function logout(c: Context) {
  deleteCookie(c, SESSION_COOKIE, { path: '/console' });
  return c.redirect('/console/login', 303);
}
