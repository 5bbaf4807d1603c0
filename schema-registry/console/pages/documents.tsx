import type { ConsoleDeps } from '../deps';
import { Layout, problem, when, Table } from '../layout';
import type { ConsoleContext } from '../viewer';

/** Trusted documents per client (what an enforcing gateway runs). */
export async function documentsPage(c: ConsoleContext, deps: ConsoleDeps) {
  const target = c.get('target').name;
  const client = c.req.query('client') || undefined;
  const rows = await deps.store.documents.list(target, client);
  return c.html(
    <Layout title="Trusted documents" viewer={c.get('viewer')} target={target} page="documents">
      {client && (
        <p>
          client {client} · <a href="?">all clients</a>
        </p>
      )}
      {rows.length === 0 ? (
        <p class="muted">
          No trusted documents: <code>bun autograph operations:publish MANIFEST --client NAME</code>
        </p>
      ) : (
        <Table head={['client', 'operation', 'hash', 'stored']}>
          {rows.map((row) => (
            <tr>
              <td>
                <a href={`?client=${encodeURIComponent(row.client)}`}>{row.client}</a>
              </td>
              <td>{row.name ?? '(anonymous)'}</td>
              <td>
                <a href={`/console/t/${target}/documents/${encodeURIComponent(row.hash)}`}>
                  <code>{row.hash.slice(0, 16)}</code>
                </a>
              </td>
              <td>{when(row.createdAt)}</td>
            </tr>
          ))}
        </Table>
      )}
    </Layout>,
  );
}

export async function documentPage(c: ConsoleContext, deps: ConsoleDeps) {
  const target = c.get('target').name;
  const hash = c.req.param('hash') ?? '';
  const document = await deps.store.documents.get(target, hash);
  if (document === null) return problem(c, 404, `No trusted document ${hash} in target ${target}`);
  return c.html(
    <Layout title="Trusted document" viewer={c.get('viewer')} target={target} page="documents">
      <p>
        <code>{hash}</code>
      </p>
      <pre>{document}</pre>
    </Layout>,
  );
}
