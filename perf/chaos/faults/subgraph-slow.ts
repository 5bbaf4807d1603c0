import { faultReport, underLoad, type Fault } from '../fault';
import { CHAOS_GATEWAY_ENV, PROXIED_SUBGRAPH, TOUCHES_REVIEWS } from '../system';
import { circuitOpenings, stallChecks, stallTiming } from './subgraph-checks';

const SUBGRAPH = PROXIED_SUBGRAPH;
const TIMEOUT_MS = Number(CHAOS_GATEWAY_ENV.SUBGRAPH_TIMEOUT_MS);
/** Twice the gateway's per-call limit: every call would time out. */
const ADDED_LATENCY_MS = 2 * TIMEOUT_MS;

export const subgraphSlow: Fault = {
  name: 'subgraph-slow',
  description: `${ADDED_LATENCY_MS} ms added to every answer of ${SUBGRAPH} by the fault proxy between the gateway and it.`,
  goal: `calls bounded by SUBGRAPH_TIMEOUT_MS (${TIMEOUT_MS} ms), breaker opens, other fields unaffected, served again ≤ 5 s after the latency is gone`,
  async run(context) {
    const { proxy } = context.chaos;
    const gatewayUrl = context.chaos.system.gatewayUrl;
    const openedBefore = await circuitOpenings(gatewayUrl, SUBGRAPH);
    const run = await underLoad(stallTiming(context), {
      next: context.chaos.reads(),
      async inject() {
        proxy.setLatency(ADDED_LATENCY_MS);
      },
      async lift() {
        proxy.setLatency(0);
      },
    });
    const measured = stallChecks(run, {
      subgraph: SUBGRAPH,
      touches: TOUCHES_REVIEWS,
      timeoutMs: TIMEOUT_MS,
      deadlineMs: Number(CHAOS_GATEWAY_ENV.REQUEST_DEADLINE_MS),
      circuitOpenings: (await circuitOpenings(gatewayUrl, SUBGRAPH)) - openedBefore,
    });
    return faultReport(this, context, run, measured);
  },
};
