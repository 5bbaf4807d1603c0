import { readCounter } from '../../tests/support/graphql';

/**
 * A counter of one gateway (or a histogram's `_count` / `_sum`) as Prometheus scrapes it from that
 * gateway's /metrics, summed over the label sets that match `labels`; 0 when it has none. Every
 * gateway counts in a registry of its own, so this is the one way tests read gateway metrics.
 */
export function gatewayCounter(
  gateway: { url: string },
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return readCounter(`${gateway.url}/metrics`, name, labels);
}
