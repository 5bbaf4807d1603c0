import type { ConsoleDeps } from '../deps';
import { Layout, when } from '../layout';
import type { ConsoleContext } from '../viewer';

/** The target's current subgraphs: routing URL, last change, SDL. */
export async function subgraphsPage(c: ConsoleContext, deps: ConsoleDeps) {
  const target = c.get('target').name;
  const rows = await deps.store.listSubgraphs(target);
  return c.html(
    <Layout title="Subgraphs" viewer={c.get('viewer')} target={target} page="subgraphs">
      {rows.length === 0 && <p class="muted">No subgraphs yet.</p>}
      {rows.map((s) => (
        <section class="subgraph" id={`subgraph-${s.name}`}>
          <h2>{s.name}</h2>
          <p>
            routing URL <code>{s.url}</code> · updated {when(s.updatedAt)} ·{' '}
            <a href={`/console/t/${target}/checks?subgraph=${s.name}`}>check runs</a>
          </p>
          <details>
            <summary>SDL ({s.sdl.split('\n').length} lines)</summary>
            <pre>{s.sdl}</pre>
          </details>
        </section>
      ))}
    </Layout>,
  );
}
