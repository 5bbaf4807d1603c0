import type { ConsoleDeps } from '../deps';
import { Layout, when, Table } from '../layout';
import { canAct, isAdmin, type ConsoleContext } from '../viewer';

/** The targets this token may see (all for the admin token), with their latest version. */
export async function targetsPage(c: ConsoleContext, deps: ConsoleDeps) {
  const viewer = c.get('viewer');
  const all = await deps.store.listTargets();
  const visible = isAdmin(viewer)
    ? all
    : all.filter((t) => 'target' in viewer.caller && t.name === viewer.caller.target);
  const rows = await Promise.all(
    visible.map(async (target) => ({ target, latest: await deps.store.latest(target.name) })),
  );
  return c.html(
    <Layout title="Targets" viewer={viewer}>
      <Table head={['target', 'latest version', 'published', 'subgraphs', 'usage window', 'you may']}>
        {rows.map(({ target, latest }) => (
          <tr>
            <td>
              <a href={`/console/t/${target.name}/versions`}>{target.name}</a>
            </td>
            <td>{latest ? `v${latest.number}` : '–'}</td>
            <td>{when(latest?.createdAt)}</td>
            <td>{latest ? latest.subgraphs.map((s) => s.name).join(', ') : '–'}</td>
            <td>
              {target.usageWindowDays} days, threshold {target.usageThresholdPercent}%
            </td>
            <td>{canAct(viewer, target.name) ? 'read and check' : 'read'}</td>
          </tr>
        ))}
      </Table>
    </Layout>,
  );
}
