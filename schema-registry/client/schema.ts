import type { CheckRunFilter } from '../check-runs';
import type { CheckReport, SchemaChange } from '../checks';
import type { CheckRunKind, SubgraphSnapshot } from '../db/schema';
import type { CallOptions, Transport } from './http';

/** The latest supergraph, or `unchanged` when it still has the ETag sent. */
export type SupergraphAnswer =
  | { status: 'unchanged' }
  | { status: 'ok'; sdl: string; etag: string | null; version: number | null };

/** A publish, delete, rollback or promotion that went through (a refusal is a RegistryError 409 with the report in `details`). */
export interface ChangeResult {
  status: 'published' | 'unchanged' | 'checked';
  changed: boolean;
  version: number | null;
  supergraphHash: string | null;
  report: CheckReport;
}

export interface SubgraphInput {
  name: string;
  url: string;
  sdl: string;
  author?: string;
  commit?: string;
  force?: boolean;
}

export interface VersionSummary {
  number: number;
  hash: string;
  author: string | null;
  commit: string | null;
  change: string;
  forced: boolean;
  createdAt: string;
  subgraphs: string[];
}

/** A stored check run as listed (`GET …/checks`); `checkRun(id)` adds its SDL and whole result. */
export interface CheckRunSummary {
  id: number;
  kind: CheckRunKind;
  subgraph: string | null;
  sdlHash: string | null;
  url: string | null;
  author: string | null;
  commit: string | null;
  /** checked, published, unchanged, rejected or refused. */
  status: string;
  ok: boolean;
  createdAt: string;
}

const optionalNumber = (value: string | null) => (value === null ? null : Number(value));

/** Subgraph schemas, checks, versions and their artifacts (schema-registry/api/schema.ts). */
export function schemaCalls(t: Transport) {
  const version = (number: number, artifact: string) => t.inTarget(`/versions/${number}/${artifact}`);
  return {
    /** `GET …/supergraph` (or a schema contract's, `…/contracts/:contract/supergraph`), conditional on `etag` (If-None-Match). */
    supergraph: ({
      etag,
      contract,
      ...options
    }: CallOptions & { etag?: string | null; contract?: string } = {}): Promise<SupergraphAnswer> =>
      t.send(
        t.inTarget(contract ? `/contracts/${encodeURIComponent(contract)}/supergraph` : '/supergraph'),
        { ...options, headers: { accept: 'text/plain', ...(etag ? { 'if-none-match': etag } : {}) }, expect: [304] },
        async (response) =>
          response.status === 304
            ? { status: 'unchanged' as const }
            : {
                status: 'ok' as const,
                sdl: await response.text(),
                etag: response.headers.get('etag'),
                version: optionalNumber(response.headers.get('x-autograph-version')),
              },
      ),

    publishSubgraph: ({ name, url, sdl, author, commit, force }: SubgraphInput, options?: CallOptions) =>
      t.json<ChangeResult>(t.inTarget('/subgraphs'), {
        ...options,
        method: 'POST',
        body: { name, url, sdl, author, commit, force },
      }),

    /** A dry run of a publish: no version is written, only the check run. */
    checkSubgraph: (
      { name, url, sdl, author, commit }: { name: string; url?: string; sdl: string; author?: string; commit?: string },
      options?: CallOptions,
    ) =>
      t.json<{ ok: boolean; report: CheckReport }>(t.inTarget('/checks'), {
        ...options,
        method: 'POST',
        body: { name, url, sdl, author, commit },
      }),

    /** Stored check runs, newest first. */
    checkRuns: ({ timeoutMs, ...filter }: CallOptions & CheckRunFilter = {}) => {
      const query = new URLSearchParams(
        Object.entries(filter).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])),
      );
      return t.json<CheckRunSummary[]>(t.inTarget(`/checks?${query}`), { timeoutMs });
    },

    checkRun: (id: number, options?: CallOptions) =>
      t.json<CheckRunSummary & { sdl: string | null; result: CheckReport | { refusal: unknown } }>(
        t.inTarget(`/checks/${id}`),
        options,
      ),

    deleteSubgraph: (name: string, flags: { dryRun?: boolean; force?: boolean } = {}, options?: CallOptions) => {
      const query = new URLSearchParams({
        ...(flags.dryRun ? { dryRun: 'true' } : {}),
        ...(flags.force ? { force: 'true' } : {}),
      });
      return t.json<ChangeResult>(t.inTarget(`/subgraphs/${encodeURIComponent(name)}?${query}`), {
        ...options,
        method: 'DELETE',
      });
    },

    rollback: (body: { version: number; author?: string }, options?: CallOptions) =>
      t.json<ChangeResult>(t.inTarget('/rollback'), { ...options, method: 'POST', body }),

    /** Makes a version of this target the next version of target `to`. */
    promote: (body: { version: number; to: string; author?: string; force?: boolean }, options?: CallOptions) =>
      t.json<ChangeResult>(t.inTarget('/promote'), { ...options, method: 'POST', body }),

    /** Newest first. */
    versions: ({ limit, ...options }: CallOptions & { limit?: number } = {}) =>
      t.json<VersionSummary[]>(t.inTarget(`/versions${limit ? `?limit=${limit}` : ''}`), options),

    versionSupergraph: (number: number, options?: CallOptions) => t.text(version(number, 'supergraph'), options),
    versionApiSchema: (number: number, options?: CallOptions) => t.text(version(number, 'api-schema'), options),
    versionSubgraphs: (number: number, options?: CallOptions) =>
      t.json<SubgraphSnapshot[]>(version(number, 'subgraphs'), options),

    /** Changes to the API schema between two versions. */
    diff: (from: number, to: number, options?: CallOptions) =>
      t.json<{ from: number; to: number; changes: SchemaChange[] }>(t.inTarget(`/diff?from=${from}&to=${to}`), options),
  };
}
