import type { ConsoleDeps } from '../deps';
import { Csrf, Layout, problem, when, Table } from '../layout';
import { isAdmin, type ConsoleContext } from '../viewer';

const notAdmin = (c: ConsoleContext) => problem(c, 403, 'Tokens and webhooks need the admin token');
const idParam = (c: ConsoleContext) => {
  const id = Number(c.req.param('id'));
  return Number.isInteger(id) && id > 0 && id <= 2_147_483_647 ? id : null;
};

/** The target's tokens (never their secrets), revocable here. */
export async function tokensPage(c: ConsoleContext, deps: ConsoleDeps) {
  const viewer = c.get('viewer');
  if (!isAdmin(viewer)) return notAdmin(c);
  const target = c.get('target').name;
  const rows = await deps.access.list(target);
  return c.html(
    <Layout title="Tokens" viewer={viewer} target={target} page="tokens">
      <p class="muted">
        New tokens: <code>bun autograph token:create --kind read|usage|write --name NAME --target {target}</code> (the
        secret is shown once).
      </p>
      <Table head={['id', 'name', 'kind', 'created', 'revoked', '']}>
        {rows.map((token) => (
          <tr>
            <td>{token.id}</td>
            <td>{token.name}</td>
            <td>{token.kind}</td>
            <td>{when(token.createdAt)}</td>
            <td>{when(token.revokedAt)}</td>
            <td>
              {!token.revokedAt && (
                <form method="post" action={`/console/t/${target}/tokens/${token.id}/revoke`}>
                  <Csrf viewer={viewer} />
                  <button type="submit" class="danger">
                    Revoke
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </Layout>,
  );
}

/** Revokes a token and audits it as `DELETE …/tokens/:id` does. */
export async function revokeToken(c: ConsoleContext, deps: ConsoleDeps) {
  const viewer = c.get('viewer');
  if (!isAdmin(viewer)) return notAdmin(c);
  const target = c.get('target').name;
  const id = idParam(c);
  if (!id || !(await deps.access.revoke(target, id))) return problem(c, 404, `No active token ${c.req.param('id')}`);
  await deps.store.record({
    target,
    action: 'token:revoke',
    actor: null,
    token: viewer.caller.fingerprint,
    outcome: 'done',
    details: { id, via: 'console' },
  });
  return c.redirect(`/console/t/${target}/tokens`, 303);
}

/** Webhooks by id and host (their URLs may carry secrets), with their deliveries. */
export async function webhooksPage(c: ConsoleContext, deps: ConsoleDeps) {
  const viewer = c.get('viewer');
  if (!isAdmin(viewer)) return notAdmin(c);
  const target = c.get('target').name;
  const rows = await deps.webhooks.list(target);
  return c.html(
    <Layout title="Webhooks" viewer={viewer} target={target} page="webhooks">
      {rows.length === 0 && (
        <p class="muted">
          No webhooks: <code>bun autograph webhook:create URL --target {target}</code>
        </p>
      )}
      <Table head={['id', 'host', 'events', '']}>
        {rows.map((hook) => (
          <tr>
            <td>{hook.id}</td>
            <td>{new URL(hook.url).host}</td>
            <td>{hook.events.join(', ')}</td>
            <td>
              <a href={`/console/t/${target}/webhooks/${hook.id}/deliveries`}>deliveries</a>
            </td>
          </tr>
        ))}
      </Table>
    </Layout>,
  );
}

export async function deliveriesPage(c: ConsoleContext, deps: ConsoleDeps) {
  const viewer = c.get('viewer');
  if (!isAdmin(viewer)) return notAdmin(c);
  const target = c.get('target').name;
  const id = idParam(c);
  const rows = id ? await deps.webhooks.deliveries(target, id, 100) : [];
  return c.html(
    <Layout title={`Deliveries of webhook ${c.req.param('id')}`} viewer={viewer} target={target} page="webhooks">
      <Table head={['id', 'event', 'status', 'attempts', 'last error', 'created', 'delivered']}>
        {rows.map((d) => (
          <tr>
            <td>{d.id}</td>
            <td>{d.event}</td>
            <td class={`outcome-${d.status}`}>{d.status}</td>
            <td>{d.attempts}</td>
            <td>{d.lastError ?? '–'}</td>
            <td>{when(d.createdAt)}</td>
            <td>{when(d.deliveredAt)}</td>
          </tr>
        ))}
      </Table>
      {rows.length === 0 && <p class="muted">No deliveries.</p>}
    </Layout>,
  );
}
