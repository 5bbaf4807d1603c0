/**
 * The schema owners' web console at /console: server-rendered Hono JSX with htmx.
 *
 * Why this shape: every page is plain HTML rendered on the server from the registry's core (store,
 * checks, usage), so reading works with JavaScript off, there is no build step and no client
 * bundle to keep in step with the API, and it runs in the registry's own process with the Hono it
 * already uses. htmx (served from node_modules: no CDN, no internet at run time) only makes some
 * forms swap a fragment instead of reloading the page; each of them is a normal GET or POST form
 * without it.
 *
 * Routes: GET/POST /console/login, POST /console/logout, /console/ (targets), /console/audit, and
 * the pages of one target under /console/t/:target/ (one file each in ./pages).
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import type { ConsoleDeps } from './deps';
import { requireTarget, requireViewer } from './guards';
import { problem } from './layout';
import { auditPage } from './pages/audit';
import { checkRunPage, checksPage, runCheck } from './pages/checks';
import { documentPage, documentsPage } from './pages/documents';
import { explorerPage } from './pages/explorer';
import { loginPage, logout, signIn } from './pages/login';
import { operationsPage } from './pages/operations';
import { subgraphsPage } from './pages/subgraphs';
import { targetsPage } from './pages/targets';
import { deliveriesPage, revokeToken, tokensPage, webhooksPage } from './pages/admin';
import { versionsPage } from './pages/versions';
import type { ConsoleEnv } from './viewer';

const asset = (path: string) => readFileSync(path, 'utf8');

export function createConsole(deps: ConsoleDeps) {
  const htmx = asset(require.resolve('htmx.org/dist/htmx.min.js'));
  const css = asset(new URL('./console.css', import.meta.url).pathname);
  const app = new Hono<ConsoleEnv>({ strict: false }).basePath('/console');

  app.onError((error, c) => {
    deps.logger.error({ err: error }, 'console request failed');
    return problem(c, 500, 'Internal error; see the registry logs');
  });
  app.notFound((c) => problem(c, 404, `No page ${c.req.path}`));
  // No framing (clickjacking), no sniffing, a strict referrer; scripts only from this origin.
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    }),
  );
  // Cross-site form posts are refused before anything else (Origin / Sec-Fetch-Site); the session's CSRF token is checked after.
  app.use('*', csrf());

  const immutable = { 'cache-control': 'public, max-age=86400' };
  app.get('/assets/htmx.min.js', (c) => c.body(htmx, 200, { ...immutable, 'content-type': 'text/javascript' }));
  app.get('/assets/console.css', (c) => c.body(css, 200, { ...immutable, 'content-type': 'text/css' }));

  app.get('/login', (c) => loginPage(c));
  app.post('/login', (c) => signIn(c, deps));

  const viewer = requireViewer(deps);
  const target = requireTarget(deps);
  app.post('/logout', viewer, (c) => logout(c));
  app.get('/', viewer, (c) => targetsPage(c, deps));
  app.get('/audit', viewer, (c) => auditPage(c, deps));

  const t = '/t/:target';
  app.get(`${t}`, (c) => c.redirect(`/console/t/${c.req.param('target')}/versions`, 303));
  app.use(`${t}/*`, viewer, target);
  app.get(`${t}/versions`, (c) => versionsPage(c, deps));
  app.get(`${t}/subgraphs`, (c) => subgraphsPage(c, deps));
  app.get(`${t}/explorer`, (c) => explorerPage(c, deps));
  app.get(`${t}/checks`, (c) => checksPage(c, deps));
  app.post(`${t}/checks`, (c) => runCheck(c, deps));
  app.get(`${t}/checks/:id`, (c) => checkRunPage(c, deps));
  app.get(`${t}/operations`, (c) => operationsPage(c, deps));
  app.get(`${t}/documents`, (c) => documentsPage(c, deps));
  app.get(`${t}/documents/:hash`, (c) => documentPage(c, deps));
  app.get(`${t}/tokens`, (c) => tokensPage(c, deps));
  app.post(`${t}/tokens/:id/revoke`, (c) => revokeToken(c, deps));
  app.get(`${t}/webhooks`, (c) => webhooksPage(c, deps));
  app.get(`${t}/webhooks/:id/deliveries`, (c) => deliveriesPage(c, deps));
  return app;
}

export { createSessions } from './session';
