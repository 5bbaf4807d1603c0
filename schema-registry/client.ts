/** The registry's HTTP API from the caller's side: used by the launcher, the publish script and tests. */
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

const DEFAULT_TARGET = 'main';
const base = (registryUrl: string, target = DEFAULT_TARGET) =>
  `${registryUrl.replace(/\/$/, '')}/v1/targets/${encodeURIComponent(target)}`;

async function failure(response: Response): Promise<RegistryError> {
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string; details?: unknown } } | null;
  const details = body?.error?.details;
  const detailText = Array.isArray(details) ? `\n  ${details.map((d: { message?: string }) => d.message ?? JSON.stringify(d)).join('\n  ')}` : '';
  return new RegistryError(
    response.status,
    body?.error?.code ?? 'HTTP_ERROR',
    `registry answered HTTP ${response.status}: ${body?.error?.message ?? response.statusText}${detailText}`,
    details,
  );
}

export async function publishSubgraph(options: {
  registryUrl: string;
  target?: string;
  token?: string;
  name: string;
  url: string;
  sdl: string;
  author?: string;
  commit?: string;
  /** Accept breaking changes (recorded on the version). */
  force?: boolean;
}): Promise<{ changed: boolean; version: number | null; supergraphHash: string | null }> {
  const response = await fetch(`${base(options.registryUrl, options.target)}/subgraphs`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: JSON.stringify({ name: options.name, url: options.url, sdl: options.sdl, author: options.author, commit: options.commit, force: options.force }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw await failure(response);
  return response.json() as Promise<{ changed: boolean; version: number | null; supergraphHash: string | null }>;
}

export async function fetchSupergraph(options: { registryUrl: string; target?: string; etag?: string }) {
  const response = await fetch(`${base(options.registryUrl, options.target)}/supergraph`, {
    headers: options.etag ? { 'if-none-match': options.etag } : {},
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 304) return { status: 'unchanged' as const };
  if (!response.ok) throw await failure(response);
  return {
    status: 'ok' as const,
    sdl: await response.text(),
    etag: response.headers.get('etag') ?? '',
    version: Number(response.headers.get('x-autograph-version')),
  };
}
