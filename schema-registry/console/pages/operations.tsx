import type { ConsoleDeps } from '../deps';
import { Layout, when, Table } from '../layout';
import type { ConsoleContext } from '../viewer';

/** The most requested operations per client within the usage window, from the gateways' usage reports. */
export async function operationsPage(c: ConsoleContext, deps: ConsoleDeps) {
  const target = c.get('target');
  const days = target.usageWindowDays;
  const [rows, window] = await Promise.all([
    deps.store.usage.byClient(target.name, days, 100),
    deps.store.usage.window(target.name, days, target.usageThresholdPercent),
  ]);
  const total = window.requests || 1;
  const clients = new Map<string, number>();
  for (const row of rows) clients.set(row.client, (clients.get(row.client) ?? 0) + Number(row.requests));
  return c.html(
    <Layout title="Operations" viewer={c.get('viewer')} target={target.name} page="operations">
      <p>
        Last {days} days: {window.requests} requests, {window.operations} distinct operations
        {window.from && ` (${when(window.from)} – ${when(window.to)})`}.
      </p>
      {rows.length === 0 ? (
        <p class="muted">No usage reported yet: gateways report it with USAGE_REPORTING=on.</p>
      ) : (
        <>
          <h2>Clients</h2>
          <Table head={['client', 'requests']}>
            {[...clients].map(([client, requests]) => (
              <tr>
                <td>{client}</td>
                <td>{requests}</td>
              </tr>
            ))}
          </Table>
          <h2>Top operations</h2>
          <Table class="operations" head={['operation', 'client', 'requests', 'share', 'last seen', 'hash']}>
            {rows.map((row) => (
              <tr>
                <td>{row.name ?? '(anonymous)'}</td>
                <td>{row.client}</td>
                <td>{Number(row.requests)}</td>
                <td>{((100 * Number(row.requests)) / total).toFixed(1)}%</td>
                <td>{when(row.lastSeen)}</td>
                <td>
                  <code>{row.hash.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </Layout>,
  );
}
