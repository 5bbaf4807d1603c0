import type { Logger } from '../kit/log';
import type { RegistryClient } from '../schema-registry/client';

/** How long one poll waits for the registry before serving the last good supergraph. */
export const DEFAULT_SUPERGRAPH_TIMEOUT_MS = 5_000;

export interface SupergraphSourceOptions {
  registry: RegistryClient;
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
  const { registry } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SUPERGRAPH_TIMEOUT_MS;
  const where = { registry: registry.registryUrl, target: registry.target };
  let current: { sdl: string; etag: string | null; version: number | null } | null = null;
  let lastError: string | null = null;

  async function load(): Promise<string> {
    try {
      const answer = await registry.supergraph({ etag: current?.etag, timeoutMs });
      if (answer.status === 'unchanged') {
        if (current) return current.sdl;
        throw new Error('registry answered 304 to a first load');
      }
      const { sdl, etag, version } = answer;
      if (!sdl.includes('@link') && !sdl.includes('join__')) throw new Error('registry answered something that is not a supergraph');
      if (current?.sdl !== sdl) options.logger.info({ version, ...where }, 'loaded supergraph from registry');
      current = { sdl, etag, version };
      lastError = null;
      return sdl;
    } catch (error) {
      const message = (error as Error).message;
      if (!current) throw new Error(`cannot load the supergraph of target ${registry.target} from ${registry.registryUrl}: ${message}`, { cause: error });
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
