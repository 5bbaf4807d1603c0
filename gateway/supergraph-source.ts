import type { Logger } from '../kit/log';

export interface SupergraphSourceOptions {
  registryUrl: string;
  target: string;
  token?: string;
  logger: Logger;
  timeoutMs?: number;
}

/**
 * Loads the supergraph from our registry on every poll, cheaply and safely:
 * - sends If-None-Match, so an unchanged supergraph costs a 304 and no re-planning;
 * - keeps serving the last good supergraph when the registry is down or answers garbage,
 *   so a registry outage never takes the gateway down (it only fails before the first load).
 */
export function createRegistrySupergraphSource(options: SupergraphSourceOptions) {
  const url = `${options.registryUrl.replace(/\/$/, '')}/v1/targets/${encodeURIComponent(options.target)}/supergraph`;
  let current: { sdl: string; etag: string | null; version: string | null } | null = null;
  let lastError: string | null = null;

  async function load(): Promise<string> {
    try {
      const headers: Record<string, string> = { accept: 'text/plain' };
      if (current?.etag) headers['if-none-match'] = current.etag;
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
      if (response.status === 304 && current) return current.sdl;
      if (!response.ok) throw new Error(`registry answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
      const sdl = await response.text();
      if (!sdl.includes('@link') && !sdl.includes('join__')) throw new Error('registry answered something that is not a supergraph');
      const version = response.headers.get('x-autograph-version');
      if (current?.sdl !== sdl) options.logger.info({ version, url }, 'loaded supergraph from registry');
      current = { sdl, etag: response.headers.get('etag'), version };
      lastError = null;
      return sdl;
    } catch (error) {
      const message = (error as Error).message;
      if (!current) throw new Error(`cannot load the supergraph from ${url}: ${message}`, { cause: error });
      if (lastError !== message) options.logger.warn({ err: message, version: current.version }, 'registry unreachable; serving the last good supergraph');
      lastError = message;
      return current.sdl;
    }
  }

  return {
    load,
    /** The registry version currently served, for /readiness and logs. */
    get version() {
      return current?.version ?? null;
    },
  };
}
