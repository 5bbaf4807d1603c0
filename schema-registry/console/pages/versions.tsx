import { diffSchemas } from '../../checks';
import { Changes } from '../changes';
import type { ConsoleDeps } from '../deps';
import { Layout, when, Table } from '../layout';
import type { ConsoleContext } from '../viewer';

/** A version number from the query, or null. */
const versionParam = (value: string | undefined) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null;
};

/**
 * History (author, commit, change, forced) and a diff of any two versions' API schemas with the
 * checks' own diffing (graphql-inspector). The diff form is a GET form: without JavaScript it
 * reloads the page with ?from=&to=; with htmx it swaps only the #diff section.
 */
export async function versionsPage(c: ConsoleContext, deps: ConsoleDeps) {
  const viewer = c.get('viewer');
  const target = c.get('target').name;
  const history = await deps.store.history(target, 200);
  const from = versionParam(c.req.query('from')) ?? history[1]?.number ?? null;
  const to = versionParam(c.req.query('to')) ?? history[0]?.number ?? null;
  const diff = from && to ? await diffOf(deps, target, from, to) : null;
  const section = (
    <section id="diff">
      {diff && (
        <>
          <h2>
            API schema v{from} → v{to}
          </h2>
          {'missing' in diff ? <p class="error">No version {diff.missing}</p> : <Changes changes={diff.changes} />}
        </>
      )}
    </section>
  );
  if (c.req.header('hx-request')) return c.html(section);
  const options = (selected: number | null) =>
    history.map((v) => (
      <option value={String(v.number)} selected={v.number === selected}>
        v{v.number} · {v.change}
      </option>
    ));
  return c.html(
    <Layout title="Versions" viewer={viewer} target={target} page="versions">
      {history.length === 0 ? (
        <p class="muted">No versions yet: publish a subgraph.</p>
      ) : (
        <>
          <form
            method="get"
            action={`/console/t/${target}/versions`}
            class="filters"
            hx-get={`/console/t/${target}/versions`}
            hx-target="#diff"
            hx-swap="outerHTML"
            hx-push-url="true"
          >
            <label>
              from <select name="from">{options(from)}</select>
            </label>
            <label>
              to <select name="to">{options(to)}</select>
            </label>
            <button type="submit">Diff</button>
          </form>
          {section}
          <h2>History</h2>
          <Table head={['version', 'published', 'change', 'author', 'commit', 'forced', 'subgraphs']}>
            {history.map((v) => (
              <tr class={v.forced ? 'forced' : undefined}>
                <td>v{v.number}</td>
                <td>{when(v.createdAt)}</td>
                <td>{v.change}</td>
                <td>{v.author ?? '–'}</td>
                <td>
                  <code>{v.commit ?? '–'}</code>
                </td>
                <td>{v.forced ? <span class="badge breaking">forced</span> : 'no'}</td>
                <td>{v.subgraphs.map((s) => s.name).join(', ')}</td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </Layout>,
  );
}

async function diffOf(deps: ConsoleDeps, target: string, from: number, to: number) {
  const [a, b] = await Promise.all([deps.store.version(target, from), deps.store.version(target, to)]);
  if (!a || !b) return { missing: !a ? from : to };
  return { changes: await diffSchemas(a.apiSdl, b.apiSdl) };
}
