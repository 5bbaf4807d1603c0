import type { ConsoleDeps } from '../deps';
import { Choice, Layout, problem, when, Table } from '../layout';
import { NAME_PATTERN } from '../../names';
import { isAdmin, type ConsoleContext } from '../viewer';

/** Every write, refused ones too (admin only, as in the API). */
export async function auditPage(c: ConsoleContext, deps: ConsoleDeps) {
  const viewer = c.get('viewer');
  if (!isAdmin(viewer)) return problem(c, 403, 'The audit log needs the admin token');
  const target = c.req.query('target') || undefined;
  if (target && !NAME_PATTERN.test(target)) return problem(c, 400, 'Not a target name');
  const rows = await deps.store.auditLog(target, 200);
  const targets = await deps.store.listTargets();
  return c.html(
    <Layout title="Audit log" viewer={viewer} target={target} page="audit">
      <form method="get" class="filters">
        <Choice label="target" name="target" values={targets.map((t) => t.name)} selected={target} />
        <button type="submit">Filter</button>
      </form>
      <Table head={['at', 'target', 'action', 'actor', 'token', 'outcome', 'details']}>
        {rows.map((row) => (
          <tr>
            <td>{when(row.at)}</td>
            <td>{row.target}</td>
            <td>{row.action}</td>
            <td>{row.actor ?? '–'}</td>
            <td>
              <code>{row.token ?? '–'}</code>
            </td>
            <td class={`outcome-${row.outcome}`}>{row.outcome}</td>
            <td>
              <code class="small">{JSON.stringify(row.details)}</code>
            </td>
          </tr>
        ))}
      </Table>
    </Layout>,
  );
}
