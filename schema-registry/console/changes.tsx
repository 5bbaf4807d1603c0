import type { CheckReport, SchemaChange } from '../checks';

const ORDER = { breaking: 0, dangerous: 1, safe: 2 } as const;

/** Schema changes, breaking first, each marked breaking / dangerous / safe (graphql-inspector's levels). */
export function Changes({ changes, empty = 'No changes.' }: { changes: SchemaChange[]; empty?: string }) {
  if (changes.length === 0) return <p class="muted">{empty}</p>;
  const sorted = [...changes].sort((a, b) => ORDER[a.level] - ORDER[b.level]);
  const count = (level: SchemaChange['level']) => changes.filter((c) => c.level === level).length;
  return (
    <div>
      <p>
        <span class="badge breaking">{count('breaking')} breaking</span>{' '}
        <span class="badge dangerous">{count('dangerous')} dangerous</span>{' '}
        <span class="badge safe">{count('safe')} safe</span>
      </p>
      <ul class="changes">
        {sorted.map((change) => (
          <li class={`change ${change.level}`} data-level={change.level}>
            <span class={`badge ${change.level}`}>{change.level}</span> {change.message}
            {change.path && <code class="path">{change.path}</code>}
            {change.level === 'breaking' && change.blocking !== undefined && (
              <span class="note">
                {change.blocking ? ' blocks' : change.safeByUsage ? ' unused in the window: does not block' : ''}
              </span>
            )}
            {change.usage && change.usage.operations.length > 0 && (
              <span class="note">
                {' '}
                used by{' '}
                {change.usage.operations.map((o) => `${o.name ?? o.hash.slice(0, 10)} (${o.client})`).join(', ')}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A check's whole report: composition, API and subgraph changes, usage, trusted documents, query plans. */
export function Report({ report }: { report: CheckReport }) {
  return (
    <div class="report">
      <h3>Composition</h3>
      {report.composition.ok ? (
        <p class="ok">composes</p>
      ) : (
        <ul class="changes">
          {report.composition.errors.map((e) => (
            <li class="change breaking">
              <span class="badge breaking">{e.code ?? 'error'}</span> {e.message}
              {e.subgraphs?.length ? <span class="note"> ({e.subgraphs.join(', ')})</span> : ''}
            </li>
          ))}
        </ul>
      )}
      <h3>API schema (what clients see)</h3>
      <Changes changes={report.apiChanges} />
      <h3>Subgraph schema</h3>
      <Changes changes={report.subgraphChanges} />
      {report.usage && <p class="muted">Usage: {report.usage.summary}</p>}
      {report.documents && (
        <>
          <h3>Trusted documents</h3>
          <p>
            {report.documents.checked} checked, {report.documents.broken.length} broken
          </p>
          <ul>
            {report.documents.broken.map((d) => (
              <li>
                {d.client} {d.name ?? d.hash}: {d.errors.map((e) => e.message).join('; ')}
              </li>
            ))}
          </ul>
        </>
      )}
      {report.plans && (
        <details>
          <summary>Query plans</summary>
          <pre>{JSON.stringify(report.plans, null, 2)}</pre>
        </details>
      )}
    </div>
  );
}
