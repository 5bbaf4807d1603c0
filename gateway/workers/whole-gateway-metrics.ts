import { AggregatorRegistry, type Registry } from 'prom-client';
import { metricsAccess } from '../../kit/metrics-access';
import type { GatewayMetrics } from '../metrics';

/** Where a worker hands its own metrics, as JSON, to its siblings (127.0.0.1 only, with the run's secret). */
export const WORKER_METRICS_PATH = '/worker-metrics';
/** A sibling slower than this to hand its metrics is left out of the scrape (and counted). */
export const DEFAULT_SIBLING_TIMEOUT_MS = 1_000;

/** One registry's metrics as `getMetricsAsJSON` gives them. */
type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export interface WholeGatewayMetricsOptions {
  metrics: GatewayMetrics;
  /** This worker, 1-based, and every worker's internal port in worker order. */
  index: number;
  ports: number[];
  secret: string;
  siblingTimeoutMs?: number;
}

/**
 * Prometheus scrapes one port that the kernel spreads over the workers: whichever worker takes the
 * scrape answers for the whole gateway. It asks every sibling for its registry as JSON
 * (`getMetricsAsJSON`) on that sibling's internal port and merges them with its own through
 * prom-client's `AggregatorRegistry.aggregate` (what prom-client's cluster mode does over
 * node:cluster IPC): counters and histograms are summed, and so are the process metrics (CPU
 * seconds and memory of all workers together). A sibling that does not answer in time (restarting,
 * stuck) is left out and counted; the scrape still answers with the rest.
 *
 * One thing Prometheus sees differently from a single process: when a worker restarts, its
 * counters start again from zero, so the sums drop, which `rate()` reads as a counter reset.
 */
export function createWholeGatewayMetrics(options: WholeGatewayMetricsOptions) {
  const { metrics, index, ports, secret } = options;
  const timeoutMs = options.siblingTimeoutMs ?? DEFAULT_SIBLING_TIMEOUT_MS;
  const siblings = ports.filter((_, position) => position !== index - 1);
  const authorization = `Bearer ${secret}`;
  // Set by the worker answering a scrape; `first` keeps its value (its registry comes first).
  const reporting = metrics.gauge({
    name: 'autograph_gateway_workers_reporting',
    help: 'Workers whose metrics this scrape holds (the others did not answer in time)',
    aggregator: 'first',
  });
  metrics
    .gauge({ name: 'autograph_gateway_workers', help: 'Worker processes the gateway runs', aggregator: 'first' })
    .set(ports.length);
  const missed = metrics.counter({
    name: 'autograph_gateway_worker_metrics_missed_total',
    help: 'Sibling workers left out of a /metrics scrape because they did not answer in time',
  });
  const guard = metricsAccess({ endpoint: WORKER_METRICS_PATH, token: secret, served: true });

  async function sibling(port: number): Promise<RegistryJson | null> {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${WORKER_METRICS_PATH}`, {
        headers: { authorization },
        signal: AbortSignal.timeout(timeoutMs),
      });
      return response.ok ? ((await response.json()) as RegistryJson) : null;
    } catch {
      return null;
    }
  }

  return {
    /** The internal endpoint: this worker's registry as JSON, for its siblings only. */
    async ownMetrics(request: Request): Promise<Response> {
      if (new URL(request.url).pathname !== WORKER_METRICS_PATH) return new Response('Not Found', { status: 404 });
      return guard(request) ?? Response.json(await metrics.registry.getMetricsAsJSON());
    },
    /** The public /metrics answer: every worker's metrics, merged. */
    async wholeGateway(): Promise<Response> {
      const answers = (await Promise.all(siblings.map(sibling))).filter((answer) => answer !== null);
      missed.inc(siblings.length - answers.length);
      reporting.set(answers.length + 1);
      const merged = AggregatorRegistry.aggregate([await metrics.registry.getMetricsAsJSON(), ...answers]);
      return new Response(await merged.metrics(), { headers: { 'content-type': merged.contentType } });
    },
  };
}
