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

/**
 * The request with an absolute URL. An HTTP/1.0 request without a Host header (HAProxy's and many
 * load balancers' default health check) reaches Bun.serve with a bare path as `request.url`,
 * which `new URL()` refuses: such a probe would fail with an error instead of being answered.
 * Costs one character check for every other request.
 */
export function withAbsoluteUrl(request: Request): Request {
  return request.url.startsWith('/') ? new Request(`http://localhost${request.url}`, request) : request;
}

/**
 * How long a stopping server waits for what is in flight before closing every connection: longer
 * than a request may take (the gateway's REQUEST_DEADLINE_MS defaults to 10 s), so only streams
 * nobody ended (a subgraph's subscription streams, which never finish on their own) are cut.
 */
export const STREAM_GRACE_MS = 10_000;

/**
 * Stops a Bun server: requests in flight finish, and whatever is still open after `graceMs`
 * (a stream) is closed, so shutdown is bounded. The gateway ends its subscriptions first, with a
 * reason (gateway/resilience/use-stream-shutdown.ts).
 */
export async function stopServer(server: { stop(closeActive?: boolean): Promise<void> }, graceMs = STREAM_GRACE_MS) {
  const stopped = server.stop();
  const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs));
  if ((await Promise.race([stopped, timer])) === 'late') await server.stop(true);
}
