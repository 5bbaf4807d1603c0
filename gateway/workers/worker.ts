import { metricsAccess, type MetricsAccessOptions } from '../../kit/metrics-access';
import type { Logger } from '../../kit/log';
import type { GatewayMetrics } from '../metrics';
import type { WorkerOptions } from '.';
import { createWholeGatewayMetrics } from './whole-gateway-metrics';

/** What a worker adds to the gateway's server (gateway/server.ts) beside the chain. */
export interface WorkerRole {
  /** Counts the request as this worker's; answers /metrics for the whole gateway; null: not handled here. */
  fastPath(request: Request): Response | Promise<Response> | null;
  /** Closes the internal metrics port; after the public server stopped (siblings may still scrape until then). */
  stop(): Promise<void>;
}

/**
 * One of the primary's workers (gateway/workers/primary.ts): it counts the requests it answers
 * under its index, so the merged metrics show how the kernel spreads connections over workers,
 * and, with METRICS on, it serves its metrics to its siblings on its internal port and answers a
 * scrape of /metrics with every worker's metrics merged, behind the same METRICS_TOKEN guard.
 */
export function startWorker(options: {
  worker: WorkerOptions;
  metrics: GatewayMetrics;
  /** Who may read /metrics (METRICS_TOKEN); null: METRICS=off, no endpoint, no internal port. */
  access: Omit<MetricsAccessOptions, 'endpoint'> | null;
  endpoint: string;
  logger: Logger;
}): WorkerRole {
  const { worker, metrics, access, endpoint } = options;
  const served = metrics
    .counter({
      name: 'autograph_gateway_worker_requests_total',
      help: 'HTTP requests each worker process answered: how the kernel spread the connections over workers',
      labelNames: ['worker'],
    })
    .labels({ worker: String(worker.index) });
  if (!access)
    return {
      fastPath() {
        served.inc();
        return null;
      },
      stop: async () => {},
    };

  const whole = createWholeGatewayMetrics({
    metrics,
    index: worker.index,
    ports: worker.metricsPorts,
    secret: worker.secret,
  });
  const internal = Bun.serve({
    hostname: '127.0.0.1',
    port: worker.metricsPorts[worker.index - 1],
    fetch: (request) => whole.ownMetrics(request),
  });
  options.logger.debug({ port: internal.port }, 'worker metrics served to siblings');
  const guard = metricsAccess({ endpoint, ...access });
  return {
    fastPath(request) {
      served.inc();
      const url = request.url;
      if (!url.includes(endpoint) || new URL(url).pathname !== endpoint) return null;
      return guard(request) ?? whole.wholeGateway();
    },
    stop: () => internal.stop(),
  };
}
