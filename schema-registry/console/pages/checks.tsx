import type { CheckRunFilter } from '../../check-runs';
import type { CheckReport } from '../../checks';
import { checkSdl } from '../../compose';
import { CHECK_RUN_KINDS, type CheckRunKind } from '../../db/schema';
import { measureSdl } from '../../limits';
import { registryMetrics } from '../../metrics';
import { subgraphName } from '../../names';
import { Report } from '../changes';
import type { ConsoleDeps } from '../deps';
import { Choice, Csrf, Layout, problem, when, Table } from '../layout';
import { canAct, type ConsoleContext } from '../viewer';

/** The list's filters, read from the query string; unknown values are ignored. */
function filterOf(c: ConsoleContext): CheckRunFilter {
  const q = c.req.query();
  const before = Number(q.before);
  return {
    subgraph: subgraphName.safeParse(q.subgraph).success ? q.subgraph : undefined,
    kind: CHECK_RUN_KINDS.includes(q.kind as CheckRunKind) ? (q.kind as CheckRunKind) : undefined,
    ok: q.result === 'passed' ? true : q.result === 'failed' ? false : undefined,
    author: q.author || undefined,
    before: Number.isInteger(before) && before > 0 && before <= 2_147_483_647 ? before : undefined,
    limit: 50,
  };
}

/** Every stored check run (schema:check, the console's checks, and each change's check), filterable. */
export async function checksPage(c: ConsoleContext, deps: ConsoleDeps, error?: string) {
  const viewer = c.get('viewer');
  const target = c.get('target').name;
  const filter = filterOf(c);
  const [runs, subgraphs] = await Promise.all([
    deps.store.checkRuns.list(target, filter),
    deps.store.listSubgraphs(target),
  ]);
  const result = filter.ok === undefined ? '' : filter.ok ? 'passed' : 'failed';
  const older = runs.length === filter.limit ? runs.at(-1)?.id : undefined;
  const query = new URLSearchParams(Object.entries({ ...c.req.query(), before: String(older) }).filter(([, v]) => v));
  return c.html(
    <Layout title="Check runs" viewer={viewer} target={target} page="checks">
      {error && <p class="error">{error}</p>}
      {canAct(viewer, target) ? (
        <details class="run-check" open={Boolean(error)}>
          <summary>Run a check</summary>
          <form method="post" action={`/console/t/${target}/checks`}>
            <Csrf viewer={viewer} />
            <label>
              subgraph <input name="subgraph" list="subgraph-names" required pattern="[a-z][a-z0-9-]*" />
              <datalist id="subgraph-names">
                {subgraphs.map((s) => (
                  <option value={s.name} />
                ))}
              </datalist>
            </label>
            <label>
              author <input name="author" />
            </label>
            <label>
              commit <input name="commit" />
            </label>
            <label class="block">
              SDL <textarea name="sdl" rows={14} required />
            </label>
            <button type="submit">Check</button>
          </form>
        </details>
      ) : (
        <p class="muted">This token may read check runs; running a check needs a write token.</p>
      )}
      <form method="get" class="filters">
        <Choice label="subgraph" name="subgraph" values={subgraphs.map((s) => s.name)} selected={filter.subgraph} />
        <Choice label="kind" name="kind" values={CHECK_RUN_KINDS} selected={filter.kind} />
        <Choice label="result" name="result" values={['passed', 'failed']} selected={result} />
        <label>
          author <input name="author" value={filter.author ?? ''} size={12} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <Table class="check-runs" head={['#', 'at', 'kind', 'subgraph', 'result', 'author', 'commit', 'SDL']}>
        {runs.map((run) => (
          <tr>
            <td>
              <a href={`/console/t/${target}/checks/${run.id}`}>#{run.id}</a>
            </td>
            <td>{when(run.createdAt)}</td>
            <td>{run.kind}</td>
            <td>{run.subgraph ?? '(all)'}</td>
            <td>
              <span class={`badge ${run.ok ? 'safe' : 'breaking'}`}>{run.ok ? 'passed' : 'failed'}</span>{' '}
              <span class="muted">{run.status}</span>
            </td>
            <td>{run.author ?? '–'}</td>
            <td>
              <code>{run.commit ?? '–'}</code>
            </td>
            <td>
              <code title={run.sdlHash ?? ''}>{run.sdlHash?.slice(0, 12) ?? '–'}</code>
            </td>
          </tr>
        ))}
      </Table>
      {runs.length === 0 && <p class="muted">No check runs match.</p>}
      {older && <a href={`?${query}`}>Older runs</a>}
    </Layout>,
  );
}

/** One run: its inputs and its whole result. */
export async function checkRunPage(c: ConsoleContext, deps: ConsoleDeps) {
  const target = c.get('target').name;
  const id = Number(c.req.param('id'));
  const run = Number.isInteger(id) && id > 0 && id <= 2_147_483_647 ? await deps.store.checkRuns.get(target, id) : null;
  if (!run) return problem(c, 404, `No check run ${c.req.param('id')} in target ${target}`);
  const result = run.result as unknown as CheckReport | { refusal: { message: string } };
  return c.html(
    <Layout title={`Check run #${run.id}`} viewer={c.get('viewer')} target={target} page="checks">
      <p>
        <span class={`badge ${run.ok ? 'safe' : 'breaking'}`}>{run.ok ? 'passed' : 'failed'}</span> {run.kind}{' '}
        {run.subgraph ?? '(all subgraphs)'} · {run.status} · {when(run.createdAt)} · by {run.author ?? '–'}
        {run.commit && (
          <>
            {' '}
            @ <code>{run.commit}</code>
          </>
        )}
      </p>
      {run.url && (
        <p>
          routing URL <code>{run.url}</code>
        </p>
      )}
      {'refusal' in result ? <p class="error">Refused: {result.refusal.message}</p> : <Report report={result} />}
      {run.sdl && (
        <details>
          <summary>
            SDL checked <code>sha256:{run.sdlHash}</code>
          </summary>
          <pre>{run.sdl}</pre>
        </details>
      )}
    </Layout>,
  );
}

/**
 * Runs a check as `POST /v1/targets/:t/checks` does (the same core call, metrics and webhook),
 * then shows the stored run. Write tokens and the admin token only.
 */
export async function runCheck(c: ConsoleContext, deps: ConsoleDeps) {
  const viewer = c.get('viewer');
  const target = c.get('target').name;
  if (!canAct(viewer, target)) return problem(c, 403, 'Running a check needs a write token of this target');
  const form = await c.req.parseBody();
  const text = (key: string) => (typeof form[key] === 'string' ? (form[key] as string).trim() : '');
  const name = text('subgraph');
  const sdl = text('sdl');
  const refuse = (message: string) => {
    registryMetrics().check('refused');
    c.status(400);
    return checksPage(c, deps, message);
  };
  if (!subgraphName.safeParse(name).success)
    return refuse('subgraph: lower-case letters, digits and dashes, starting with a letter');
  if (!sdl) return refuse('SDL must not be empty');
  const limit = measureSdl(sdl, deps.limits);
  if (limit) return refuse(limit.message);
  const syntax = checkSdl(sdl);
  if (!syntax.ok) return refuse(`Invalid SDL: ${syntax.message}${syntax.line ? ` at line ${syntax.line}` : ''}`);
  const existing = (await deps.store.listSubgraphs(target)).find((s) => s.name === name);
  const url = existing?.url ?? `http://${name}.invalid/graphql`;
  const author = text('author') || ('name' in viewer.caller ? viewer.caller.name : undefined);
  const commit = text('commit') || undefined;
  const outcome = await deps.store.publish(target, { name, url, sdl }, { dryRun: true, author, commit });
  if (outcome.status === 'refused') return refuse(outcome.refusal.message);
  const ok = outcome.status !== 'rejected';
  registryMetrics().check(ok ? 'passed' : 'failed');
  if (!ok) void deps.webhooks.emit(target, 'check.failed', { action: 'check', subgraph: name, report: outcome.report });
  // The run just stored: the newest of this subgraph and author (another check of the same pair at the same instant could swap them).
  const [run] = await deps.store.checkRuns.list(target, { subgraph: name, author, limit: 1 });
  return c.redirect(run ? `/console/t/${target}/checks/${run.id}` : `/console/t/${target}/checks`, 303);
}
