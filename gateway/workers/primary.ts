import { randomBytes } from 'node:crypto';
import { describeExit } from '../../kit/child-process';
import type { Logger } from '../../kit/log';
import { freePorts, portIsFree } from '../../kit/ports';
import { announce } from '../../kit/service';
import { Supervisor, type ServiceSpec } from '../../kit/supervisor';
import type { GatewayOptions } from '../config';

/**
 * A worker stopping drains (/readiness 503 for DRAIN_DELAY_MS, then in-flight requests finish) and
 * gives up by itself after 25 s (kit/service.ts); this is the primary's last resort after that.
 */
const WORKER_STOP_GRACE_MS = 30_000;
/** How long a worker may take to start listening (the supergraph loaded, Redis connected). */
const WORKER_START_TIMEOUT_MS = 60_000;

/**
 * GATEWAY_WORKERS=N: this process serves nothing itself. It runs N worker processes of the same
 * entry point with the same environment, each listening on the same port with SO_REUSEPORT (Linux
 * spreads new connections over them), and keeps them running: a crashed worker is restarted with
 * backoff while the others serve; a crash loop (CRASH_LOOP_MAX_CRASHES within
 * CRASH_LOOP_WINDOW_MS) stops the gateway with exit code 1. SIGTERM or SIGINT (or the parent
 * launcher going away) drains every worker at once; the primary exits when all have exited: 0 when
 * each exited cleanly. Once every worker listens it announces the gateway's URL to a parent
 * launcher, as a single gateway process does.
 */
export async function runPrimary(options: GatewayOptions, logger: Logger): Promise<void> {
  const { count, restart } = options.workers;
  if (options.port && !portIsFree('0.0.0.0', options.port)) {
    console.error(
      `[gateway] GATEWAY_PORT ${options.port} is in use: the workers will not share it with another process`,
    );
    process.exit(1);
  }
  const port = options.port || freePorts('0.0.0.0', 1)[0]!;
  const metricsPorts = freePorts('127.0.0.1', count);
  const secret = randomBytes(32).toString('base64url');
  const supervisor = new Supervisor({
    policy: restart,
    startTimeoutMs: WORKER_START_TIMEOUT_MS,
    log: (message) => logger.warn(message),
    // Workers log as the gateway does (JSON lines), each line with its worker's index.
    output: (_worker, line) => process.stdout.write(`${line}\n`),
  });
  const worker = (index: number): ServiceSpec => ({
    name: `worker ${index}`,
    // The same entry point and arguments (`--supergraph`) as this process.
    entry: process.argv.slice(1),
    portVariable: 'GATEWAY_PORT',
    port,
    stopGraceMs: WORKER_STOP_GRACE_MS,
    env: () => ({
      GATEWAY_WORKERS: String(count),
      GATEWAY_WORKER_INDEX: String(index),
      GATEWAY_WORKER_METRICS_PORTS: metricsPorts.join(','),
      GATEWAY_WORKER_SECRET: secret,
    }),
  });

  let stopping = false;
  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, `gateway stopping (${reason}): draining ${count} workers`);
    const stopped = await supervisor.stop({ together: true });
    const clean = describeExit(0, null);
    const unclean = stopped.filter(({ exit }) => exit !== null && exit !== clean);
    for (const { service, exit } of unclean) logger.error(`${service} ended with ${exit}`);
    logger.info(`gateway stopped: ${stopped.length - unclean.length} of ${count} workers exited cleanly`);
    process.exit(unclean.length ? 1 : code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
  // A launcher that dies must not leave orphans behind (the workers follow the primary).
  process.on('disconnect', () => void stop('parent-disconnect', 0));
  void supervisor.gaveUp.then((loop) => {
    logger.fatal(`${loop.message}: stopping the gateway`);
    void stop('crash loop', 1);
  });

  try {
    await Promise.all(Array.from({ length: count }, (_, index) => supervisor.start(worker(index + 1))));
  } catch (error) {
    if (stopping) return;
    stopping = true;
    await supervisor.stop({ together: true });
    console.error(`[gateway] failed to start: ${(error as Error).message}`);
    process.exit(1);
  }
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url, workers: count }, `gateway listening on ${url} with ${count} workers`);
  announce({ name: 'gateway', url, stop: () => stop('stop', 0) });
}
