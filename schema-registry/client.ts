/**
 * The registry's HTTP API from the caller's side: used by the CLI, the launcher, the publish
 * script and tests. Every failure is a RegistryError carrying the HTTP status and the API's code.
 */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface RegistryConnection {
  registryUrl: string;
  target?: string;
  token?: string;
}

const DEFAULT_TARGET = 'main';

async function failure(response: Response): Promise<RegistryError> {
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string; details?: unknown } } | null;
  return new RegistryError(
    response.status,
    body?.error?.code ?? 'HTTP_ERROR',
    `registry answered HTTP ${response.status}: ${body?.error?.message ?? response.statusText}`,
    body?.error?.details,
  );
}

/** One call to `/v1/targets/:target<path>`; network failures become RegistryError with status 0. */
export function registryRequest(connection: RegistryConnection, method: string, path: string, body?: unknown): Promise<Response> {
  return registryApi(connection, method, `/targets/${encodeURIComponent(connection.target ?? DEFAULT_TARGET)}${path}`, body);
}

/** One call to `/v1<path>`. */
export async function registryApi(connection: RegistryConnection, method: string, path: string, body?: unknown): Promise<Response> {
  const url = `${connection.registryUrl.replace(/\/$/, '')}/v1${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(connection.token ? { authorization: `Bearer ${connection.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new RegistryError(0, 'UNREACHABLE', `cannot reach the registry at ${connection.registryUrl}: ${(error as Error).message}`);
  }
  if (!response.ok && response.status !== 304) throw await failure(response);
  return response;
}

export async function publishSubgraph(
  options: RegistryConnection & { name: string; url: string; sdl: string; author?: string; commit?: string; force?: boolean },
): Promise<{ changed: boolean; version: number | null; supergraphHash: string | null }> {
  const { name, url, sdl, author, commit, force } = options;
  return (await registryRequest(options, 'POST', '/subgraphs', { name, url, sdl, author, commit, force })).json() as Promise<{
    changed: boolean;
    version: number | null;
    supergraphHash: string | null;
  }>;
}

export async function fetchSupergraph(options: RegistryConnection & { etag?: string }) {
  const response = await fetch(
    `${options.registryUrl.replace(/\/$/, '')}/v1/targets/${encodeURIComponent(options.target ?? DEFAULT_TARGET)}/supergraph`,
    {
      headers: { ...(options.etag ? { 'if-none-match': options.etag } : {}), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      signal: AbortSignal.timeout(10_000),
    },
  );
  if (response.status === 304) return { status: 'unchanged' as const };
  if (!response.ok) throw await failure(response);
  return {
    status: 'ok' as const,
    sdl: await response.text(),
    etag: response.headers.get('etag') ?? '',
    version: Number(response.headers.get('x-autograph-version')),
  };
}
