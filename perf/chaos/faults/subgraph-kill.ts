import { waitUntil } from '../infra/processes';
import { faultReport, underLoad, type Fault } from '../fault';
import { PROXIED_SUBGRAPH, TOUCHES_REVIEWS } from '../system';
import { subgraphOutageChecks } from './subgraph-checks';

const SUBGRAPH = PROXIED_SUBGRAPH;

/** Whether a subgraph's own readiness endpoint answers (straight, not through the fault proxy). */
export const subgraphReady = async (url: string) =>
  (await fetch(`${url}/readiness`, { signal: AbortSignal.timeout(1_000) })).ok;

export const subgraphKill: Fault = {
  name: 'subgraph-kill',
  description: `SIGKILL the ${SUBGRAPH} subgraph under the read mix; the launcher's supervisor restarts it.`,
  goal: `only ${SUBGRAPH}'s fields null with SUBGRAPH_UNAVAILABLE, other requests unchanged (0 errors), served again ≤ 5 s after it is back`,
  async run(context) {
    const service = context.chaos.system.service(SUBGRAPH);
    const url = () => context.chaos.system.subgraphUrls[SUBGRAPH];
    let killedPid: number | undefined;
    // The fault lasts as long as the supervisor takes to restart the subgraph: no extra hold.
    const { beforeMs, duringMs, afterMs } = context.timing;
    const timing = { beforeMs, duringMs: 0, afterMs: afterMs + duringMs };
    const run = await underLoad(
      { ...context, timing },
      {
        next: context.chaos.reads(),
        async inject() {
          killedPid = service.pid;
          service.signal('SIGKILL');
          context.log(`${SUBGRAPH} (pid ${killedPid}) killed`);
        },
        async lift() {},
        async back() {
          const back = await waitUntil(
            async () => service.pid !== undefined && service.pid !== killedPid && (await subgraphReady(url())),
            30_000,
          );
          if (!back) throw new Error(`${SUBGRAPH} was not restarted within 30 s`);
          context.log(`${SUBGRAPH} restarted (pid ${service.pid})`);
        },
      },
    );
    const measured = subgraphOutageChecks(run, {
      subgraph: SUBGRAPH,
      codes: ['SUBGRAPH_UNAVAILABLE'],
      touches: TOUCHES_REVIEWS,
      recoveryLimitMs: 5_000,
    });
    return faultReport(this, context, run, measured);
  },
};
