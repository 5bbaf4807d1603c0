import { faultReport, underLoad, type Fault } from '../fault';
import { waitUntil } from '../infra/processes';
import { CHAOS_GATEWAY_ENV, PROXIED_SUBGRAPH, TOUCHES_REVIEWS } from '../system';
import { circuitOpenings, stallChecks, stallTiming } from './subgraph-checks';
import { subgraphReady } from './subgraph-kill';

const SUBGRAPH = PROXIED_SUBGRAPH;

export const subgraphHang: Fault = {
  name: 'subgraph-hang',
  description: `SIGSTOP the ${SUBGRAPH} subgraph (it accepts connections and never answers), SIGCONT after the fault's time.`,
  goal: `calls bounded by SUBGRAPH_TIMEOUT_MS (${CHAOS_GATEWAY_ENV.SUBGRAPH_TIMEOUT_MS} ms), breaker opens, other fields unaffected, served again ≤ 5 s after SIGCONT`,
  async run(context) {
    const service = context.chaos.system.service(SUBGRAPH);
    const gatewayUrl = context.chaos.system.gatewayUrl;
    const openedBefore = await circuitOpenings(gatewayUrl, SUBGRAPH);
    const run = await underLoad(stallTiming(context), {
      next: context.chaos.reads(),
      async inject() {
        service.signal('SIGSTOP');
      },
      async lift() {
        service.signal('SIGCONT');
      },
      async back() {
        await waitUntil(() => subgraphReady(context.chaos.system.subgraphUrls[SUBGRAPH]), 10_000);
      },
    });
    const measured = stallChecks(run, {
      subgraph: SUBGRAPH,
      touches: TOUCHES_REVIEWS,
      timeoutMs: Number(CHAOS_GATEWAY_ENV.SUBGRAPH_TIMEOUT_MS),
      deadlineMs: Number(CHAOS_GATEWAY_ENV.REQUEST_DEADLINE_MS),
      circuitOpenings: (await circuitOpenings(gatewayUrl, SUBGRAPH)) - openedBefore,
    });
    return faultReport(this, context, run, measured);
  },
};
