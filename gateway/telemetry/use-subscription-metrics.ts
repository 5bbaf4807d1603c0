import type { GatewayPlugin } from '@graphql-hive/gateway';
import type { GatewayMetrics } from '../metrics';
import { useStreamFollower } from '../operation/streams';

/** Lag buckets, in seconds: a live event should arrive well within a second of its change. */
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Subscriptions as the gateway serves them: how many are open, how many events went out, and how
 * late they arrived. Lag is measured from the change itself: the `updatedAt` of the event's root
 * object (offers' live events carry it when the client selects it), to the moment the gateway
 * hands the event to the client's connection. Created when the plugin is built, in this gateway's registry.
 */
export function useSubscriptionMetrics(options: { metrics: GatewayMetrics }): GatewayPlugin {
  const open = options.metrics.gauge({
    name: 'autograph_gateway_subscriptions_open',
    help: 'Subscriptions open on this gateway (SSE and WebSocket)',
  });
  const delivered = options.metrics.counter({
    name: 'autograph_gateway_subscription_events_total',
    help: 'Subscription events delivered to clients',
  });
  const lag = options.metrics.histogram({
    name: 'autograph_gateway_subscription_lag_seconds',
    help: "From an event's change (its root object's updatedAt) to its delivery by the gateway",
    buckets: LAG_BUCKETS,
  });
  return useStreamFollower(() => {
    open.inc();
    return {
      onResult(result) {
        delivered.inc();
        const root = result.data ? Object.values(result.data)[0] : undefined;
        const changedAt =
          root && typeof root === 'object' ? Date.parse((root as { updatedAt?: string }).updatedAt ?? '') : NaN;
        if (Number.isFinite(changedAt)) lag.observe(Math.max(0, (Date.now() - changedAt) / 1000));
      },
      onClose: () => open.dec(),
    };
  });
}
