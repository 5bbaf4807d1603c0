import type { CoordinateUsage } from '../../usage';
import type { ConsoleDeps } from '../deps';
import { explorerTypes, type ExplorerField } from '../explorer-model';
import { Choice, Layout, Table } from '../layout';
import type { ConsoleContext } from '../viewer';

function Usage({ usage }: { usage: CoordinateUsage | undefined }) {
  if (!usage) return <span class="badge dangerous">unused</span>;
  const clients = [...new Set(usage.operations.map((o) => o.client))];
  return (
    <span>
      {usage.requests} requests · {usage.operations.length} operation(s):{' '}
      {usage.operations
        .slice(0, 5)
        .map((o) => o.name ?? o.hash.slice(0, 10))
        .join(', ')}
      {usage.operations.length > 5 ? '…' : ''} · clients: {clients.join(', ')}
    </span>
  );
}

function FieldRow({ field, usage }: { field: ExplorerField; usage: CoordinateUsage | undefined }) {
  return (
    <tr id={field.coordinate} class={usage ? undefined : 'unused'}>
      <td>
        <code>{field.name}</code>
        {field.description && <div class="muted small">{field.description}</div>}
      </td>
      <td>
        <code>{field.type}</code>
      </td>
      <td>{field.owners.join(', ') || '–'}</td>
      <td>
        {field.deprecationReason ? <span class="badge dangerous">deprecated: {field.deprecationReason}</span> : ''}
      </td>
      <td>
        <Usage usage={usage} />
      </td>
    </tr>
  );
}

/**
 * The latest version's API schema: every type and field, the subgraphs that resolve each field,
 * deprecations, and the operations and clients that used it within the target's usage window
 * (the usage the gateways reported, as the usage-aware checks read it).
 */
export async function explorerPage(c: ConsoleContext, deps: ConsoleDeps) {
  const viewer = c.get('viewer');
  const target = c.get('target');
  const latest = await deps.store.latest(target.name);
  const only = c.req.query('type') || undefined;
  const unusedOnly = c.req.query('unused') === '1';
  const types = latest ? explorerTypes(latest.apiSdl, latest.subgraphs) : [];
  const coordinates = types.flatMap((t) => t.fields.map((f) => f.coordinate));
  const usage = await deps.store.usage.byCoordinate(target.name, coordinates, target.usageWindowDays);
  const unused = coordinates.filter((coordinate) => !usage.has(coordinate));
  const shown = types
    .filter((t) => !only || t.name === only)
    .map((t) => ({ ...t, fields: unusedOnly ? t.fields.filter((f) => !usage.has(f.coordinate)) : t.fields }))
    .filter((t) => t.fields.length > 0);
  return c.html(
    <Layout title="Schema explorer" viewer={viewer} target={target.name} page="explorer">
      {!latest ? (
        <p class="muted">No version yet.</p>
      ) : (
        <>
          <p>
            Version v{latest.number}; usage from the last {target.usageWindowDays} days. {coordinates.length} fields,{' '}
            <a href={`?unused=1`}>{unused.length} unused</a>.
          </p>
          <form method="get" class="filters">
            <Choice label="type" name="type" values={types.map((t) => t.name)} selected={only} />
            <label>
              <input type="checkbox" name="unused" value="1" checked={unusedOnly} /> unused fields only
            </label>
            <button type="submit">Show</button>
          </form>
          {shown.map((type) => (
            <section class="type" id={`type-${type.name}`}>
              <h2>
                {type.kind === 'interface' ? 'interface ' : 'type '}
                {type.name}
              </h2>
              {type.description && <p class="muted">{type.description}</p>}
              <Table head={['field', 'type', 'subgraphs', 'deprecation', 'usage']}>
                {type.fields.map((field) => (
                  <FieldRow field={field} usage={usage.get(field.coordinate)} />
                ))}
              </Table>
            </section>
          ))}
          {unused.length > 0 && !only && (
            <section id="unused">
              <h2>Unused fields</h2>
              <p class="muted">No recorded operation used these in the window.</p>
              <ul class="columns">
                {unused.map((coordinate) => (
                  <li>
                    <code>{coordinate}</code>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </Layout>,
  );
}
