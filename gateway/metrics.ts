import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Metric,
} from 'prom-client';

type Unregistered<C> = Omit<C, 'registers'>;

/**
 * The metrics of one gateway. Each concern creates its metrics when it is built, in its gateway's
 * own registry (which that gateway's /metrics serves), never at import: two gateways in one
 * process (tests, the perf lab) count apart, as Hive's and Yoga's plugins do.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  counter<L extends string>(config: Unregistered<CounterConfiguration<L>>): Counter<L>;
  gauge<L extends string>(config: Unregistered<GaugeConfiguration<L>>): Gauge<L>;
  histogram<L extends string>(config: Unregistered<HistogramConfiguration<L>>): Histogram<L>;
}

/**
 * A gateway's metrics on a registry of its own, with the process metrics (CPU, memory, event
 * loop) in it too. Asking twice for one name returns the same metric: a concern built twice in
 * one gateway (a plugin list rebuilt on reload) keeps counting where it was.
 */
export function createGatewayMetrics(options: { processMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const once = <M extends Metric>(name: string, create: () => M): M =>
    (registry.getSingleMetric(name) as M | undefined) ?? create();
  return {
    registry,
    counter: (config) => once(config.name, () => new Counter({ ...config, registers: [registry] })),
    gauge: (config) => once(config.name, () => new Gauge({ ...config, registers: [registry] })),
    histogram: (config) => once(config.name, () => new Histogram({ ...config, registers: [registry] })),
  };
}
