import type { Child } from 'hono/jsx';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { describeCaller, isAdmin, type Viewer } from './viewer';

const PAGES = [
  ['versions', 'Versions'],
  ['subgraphs', 'Subgraphs'],
  ['explorer', 'Explorer'],
  ['checks', 'Checks'],
  ['operations', 'Operations'],
  ['documents', 'Documents'],
] as const;
const ADMIN_PAGES = [
  ['tokens', 'Tokens'],
  ['webhooks', 'Webhooks'],
] as const;

function Document({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Autograph registry`}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        {/* htmx would inject an inline style for its indicators: the CSP allows none. */}
        <meta name="htmx-config" content='{"includeIndicatorStyles":false}' />
        <script src="/console/assets/htmx.min.js" defer />
      </head>
      <body>{children}</body>
    </html>
  );
}

/** Every signed-in page: who is signed in, the target's pages, sign-out (a CSRF-protected form). */
export function Layout(props: { title: string; viewer: Viewer; target?: string; page?: string; children: Child }) {
  const { viewer, target } = props;
  return (
    <Document title={props.title}>
      <header>
        <a class="brand" href="/console/">
          Autograph registry
        </a>
        {target && <span class="target">{target}</span>}
        <nav>
          {target &&
            [...PAGES, ...(isAdmin(viewer) ? ADMIN_PAGES : [])].map(([path, label]) => (
              <a href={`/console/t/${target}/${path}`} class={props.page === path ? 'current' : undefined}>
                {label}
              </a>
            ))}
          {isAdmin(viewer) && (
            <a
              href={`/console/audit${target ? `?target=${target}` : ''}`}
              class={props.page === 'audit' ? 'current' : undefined}
            >
              Audit log
            </a>
          )}
        </nav>
        <form method="post" action="/console/logout" class="who">
          <span title={viewer.caller.fingerprint}>{describeCaller(viewer.caller)}</span>
          <input type="hidden" name="_csrf" value={viewer.csrf} />
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}

/** Sign-in and error pages: no session to show. */
export function Bare({ title, children }: { title: string; children: Child }) {
  return (
    <Document title={title}>
      <main class="narrow">
        <h1>{title}</h1>
        {children}
      </main>
    </Document>
  );
}

/** An error as a page (the console never answers JSON or a stack). */
export const problem = (c: Context, status: ContentfulStatusCode, message: string) =>
  c.html(
    <Bare title={status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Error'}>
      <p class="error">{message}</p>
      <p>
        <a href="/console/">Back to the targets</a>
      </p>
    </Bare>,
    status,
  );

/** The hidden field every POST form needs. */
export const Csrf = ({ viewer }: { viewer: Viewer }) => <input type="hidden" name="_csrf" value={viewer.csrf} />;

export const when = (date: Date | string | null | undefined) =>
  date ? new Date(date).toISOString().slice(0, 16).replace('T', ' ') : '–';

/** A table with a header row; its rows are the children. */
export const Table = (props: { head: string[]; class?: string; children?: Child }) => (
  <table class={props.class}>
    <thead>
      <tr>
        {props.head.map((label) => (
          <th>{label}</th>
        ))}
      </tr>
    </thead>
    <tbody>{props.children}</tbody>
  </table>
);

/** A filter's drop-down: "all" (empty) first, then the values. */
export const Choice = (props: { label: string; name: string; values: readonly string[]; selected?: string }) => (
  <label>
    {props.label}{' '}
    <select name={props.name}>
      <option value="">all</option>
      {props.values.map((value) => (
        <option value={value} selected={value === props.selected}>
          {value}
        </option>
      ))}
    </select>
  </label>
);
