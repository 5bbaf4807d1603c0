import { isIP } from 'node:net';
import type { Logger } from './log';

/**
 * Process plumbing shared by every Autograph service (gateway, registry, subgraphs):
 * announce where it listens to a parent launcher, and shut down gracefully on signals.
 */
export interface RunningService {
  name: string;
  url: string;
  stop(): Promise<void>;
}

/** Message a child process sends its launcher once it accepts requests. */
export interface ListeningMessage {
  type: 'listening';
  service: string;
  url: string;
}

export function announce(service: RunningService) {
  const message: ListeningMessage = { type: 'listening', service: service.name, url: service.url };
  if (typeof process.send === 'function') process.send(message);
}

/**
 * Entry-point helper: starts the service, announces it, stops it on SIGINT/SIGTERM
 * (draining in-flight requests) and exits non-zero if start-up fails.
 */
export async function runService(name: string, start: () => Promise<RunningService>, log?: Logger) {
  let service: RunningService;
  try {
    service = await start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (log?.isLevelEnabled('fatal')) log.fatal({ err: error }, `${name} failed to start: ${message}`);
    else console.error(`[${name}] failed to start: ${message}`); // even at LOG_LEVEL=silent: a dead process says why
    process.exit(1);
  }
  log?.info({ url: service.url }, `${name} listening on ${service.url}`);
  announce(service);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log?.info({ signal }, `${name} shutting down`);
    // Long enough for a drain delay plus a request running to its deadline; then give up.
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    await service.stop().catch((error) => log?.error({ err: error }, 'error during shutdown'));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // A launcher that dies must not leave orphans behind.
  process.on('disconnect', () => void shutdown('parent-disconnect'));
  return service;
}

/** The URL a service listening on `host` (HOST) is reached at from the same machine. */
export function localUrl(host: string, port: number) {
  if (host === '0.0.0.0' || host === '::') return `http://127.0.0.1:${port}`;
  return isIP(host) === 6 ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** Polls an HTTP URL until it answers 2xx, or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await Bun.sleep(100);
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}
