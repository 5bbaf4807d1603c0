import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../kit/log';
import type { RegistryClient } from '../schema-registry/client';

/** How long one poll waits for the registry before serving the last good supergraph. */
export const DEFAULT_SUPERGRAPH_TIMEOUT_MS = 5_000;
export const DEFAULT_SUPERGRAPH_CACHE_FILE = '.data/gateway-supergraph.graphql';

export interface SupergraphSourceOptions {
  registry: RegistryClient;
  logger: Logger;
  timeoutMs?: number;
  /** Where the last good supergraph is kept on disk for a start while the registry is down; null: nowhere. */
  cacheFile?: string | null;
  /** A schema contract of the target to serve (REGISTRY_CONTRACT) instead of its whole supergraph. */
  contract?: string;
}

/** Where the supergraph being served came from, for /readiness. */
export type SupergraphOrigin =
  | { from: 'registry'; version: number | null }
  | { from: 'cache-file'; file: string; reason: string }
  | { from: 'none' };

const isSupergraph = (sdl: string) => sdl.includes('@link') || sdl.includes('join__');

/**
 * Loads the supergraph from our registry on every poll, cheaply and safely:
 * - sends If-None-Match, so an unchanged supergraph costs a 304 and no re-planning;
 * - keeps serving the last good supergraph when the registry is down or answers garbage,
 *   so a registry outage never takes the gateway down;
 * - keeps that supergraph on disk (`cacheFile`, written atomically), so a gateway that starts
 *   while the registry is down serves the last one it saw instead of nothing, and says so.
 */
export function createRegistrySupergraphSource(options: SupergraphSourceOptions) {
  const { registry, logger } = options;
  const cacheFile = options.cacheFile ?? null;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SUPERGRAPH_TIMEOUT_MS;
  const { contract } = options;
  const where = { registry: registry.registryUrl, target: registry.target, ...(contract ? { contract } : {}) };
  let current: { sdl: string; etag: string | null; version: number | null } | null = null;
  let origin: SupergraphOrigin = { from: 'none' };
  let lastError: string | null = null;

  function persist(sdl: string) {
    if (!cacheFile) return;
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      // A temporary file of this process's own: the workers of one gateway (GATEWAY_WORKERS) share the cache file.
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(temporary, sdl);
      renameSync(temporary, cacheFile);
    } catch (error) {
      logger.warn({ err: (error as Error).message, file: cacheFile }, 'could not keep the supergraph on disk');
    }
  }

  function fromDisk(reason: string): string | null {
    if (!cacheFile) return null;
    let sdl: string;
    try {
      sdl = readFileSync(cacheFile, 'utf8');
    } catch {
      return null;
    }
    if (!isSupergraph(sdl)) return null;
    logger.warn(
      { file: cacheFile, reason, ...where },
      'registry unreachable at start: serving the last supergraph kept on disk',
    );
    current = { sdl, etag: null, version: null };
    origin = { from: 'cache-file', file: cacheFile, reason };
    return sdl;
  }

  async function load(): Promise<string> {
    try {
      const answer = await registry.supergraph({ etag: current?.etag, timeoutMs, contract });
      if (answer.status === 'unchanged') {
        if (current) return current.sdl;
        throw new Error('registry answered 304 to a first load');
      }
      const { sdl, etag, version } = answer;
      if (!isSupergraph(sdl)) throw new Error('registry answered something that is not a supergraph');
      if (current?.sdl !== sdl) {
        logger.info({ version, ...where }, 'loaded supergraph from registry');
        persist(sdl);
      }
      current = { sdl, etag, version };
      origin = { from: 'registry', version };
      lastError = null;
      return sdl;
    } catch (error) {
      const message = (error as Error).message;
      if (!current) {
        const kept = fromDisk(message);
        if (kept) return kept;
        throw new Error(
          `cannot load the supergraph of target ${registry.target}${contract ? ` (contract ${contract})` : ''} from ${registry.registryUrl}: ${message}`,
          { cause: error },
        );
      }
      if (lastError !== message)
        logger.warn(
          { err: message, version: current.version },
          'registry unreachable; serving the last good supergraph',
        );
      lastError = message;
      return current.sdl;
    }
  }

  return {
    load,
    /** Where the supergraph being served came from. */
    origin: () => origin,
  };
}
