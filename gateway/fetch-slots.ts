import type { Logger } from '../kit/log';

/**
 * Bun lets one process have at most BUN_CONFIG_MAX_HTTP_REQUESTS `fetch` calls in flight (256
 * unset); the rest wait for a slot. Every open subscription holds one for as long as it lives (its
 * SSE stream from the subgraph), and the entity fetches of each event need more: past ~250
 * subscribers nothing moves any more (`bun perf fanout` with the variable at 256). Bun reads it
 * once at start, so the process must be started with it; the launcher and the perf lab do.
 */
export const FETCH_SLOTS_VARIABLE = 'BUN_CONFIG_MAX_HTTP_REQUESTS';
/** What the launcher and the perf lab start gateways with (Bun accepts up to 65,336). */
export const GATEWAY_FETCH_SLOTS = '16384';
const BUN_DEFAULT = 256;

/** Warns at start when this process keeps Bun's default: subscriptions then stall past ~250. */
export function warnOnFetchSlots(env: Record<string, string | undefined>, logger: Logger) {
  const slots = Number(env[FETCH_SLOTS_VARIABLE] ?? BUN_DEFAULT);
  if (slots > BUN_DEFAULT) return;
  logger.warn(
    { [FETCH_SLOTS_VARIABLE]: slots, suggested: GATEWAY_FETCH_SLOTS },
    `at most ${slots} subgraph fetches in flight: each open subscription holds one, so past ~${slots - 10} subscriptions ` +
      `new ones and their events wait; start the gateway with ${FETCH_SLOTS_VARIABLE}=${GATEWAY_FETCH_SLOTS}`,
  );
}
