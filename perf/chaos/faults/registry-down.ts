import { between, check, failed, noErrors } from '../analysis';
import { faultReport, underLoad, type Fault } from '../fault';
import { waitUntil } from '../infra/processes';
import { PROXIED_SUBGRAPH } from '../system';

/** What the gateway's /readiness says about the supergraph it serves. */
async function supergraphOrigin(gatewayUrl: string): Promise<string | undefined> {
  const response = await fetch(`${gatewayUrl}/readiness`, { signal: AbortSignal.timeout(1_000) });
  if (!response.ok) return undefined;
  const body = (await response.json()) as { supergraph?: { from?: string } };
  return body.supergraph?.from ?? 'registry';
}

/** How long a restarted gateway may take to warm up before every request must succeed. */
const WARM_UP_MS = 3_000;

export const registryDown: Fault = {
  name: 'registry-down',
  description:
    'SIGKILL the registry and keep it down; meanwhile SIGKILL the gateway (the supervisor restarts it while the registry is still down); then bring the registry back.',
  goal: 'the gateway keeps serving without the registry; restarted, it serves the supergraph kept on disk (SUPERGRAPH_CACHE_FILE); publishes resume when the registry is back',
  async run(context) {
    const { system } = context.chaos;
    const registry = system.service('registry');
    const gateway = system.service('gateway');
    const marks = { gatewayKilledMs: 0, gatewayBackMs: 0, origin: '', published: false };
    const run = await underLoad(context, {
      next: context.chaos.reads(),
      async inject(now) {
        await registry.hold('SIGKILL');
        await Bun.sleep(context.timing.duringMs / 3);
        const pid = gateway.pid;
        marks.gatewayKilledMs = now();
        gateway.signal('SIGKILL');
        await waitUntil(
          async () => gateway.pid !== pid && (await supergraphOrigin(system.gatewayUrl)) !== undefined,
          30_000,
        );
        marks.gatewayBackMs = now();
        marks.origin = (await supergraphOrigin(system.gatewayUrl)) ?? 'not ready';
        context.log(
          `gateway restarted without the registry in ${marks.gatewayBackMs - marks.gatewayKilledMs} ms, serving from ${marks.origin}`,
        );
      },
      async lift() {
        await registry.resume();
      },
      async back() {
        marks.published = await waitUntil(
          async () => {
            await context.chaos.route(PROXIED_SUBGRAPH, context.chaos.proxy.url);
            return true;
          },
          10_000,
          500,
        );
        await waitUntil(async () => (await supergraphOrigin(system.gatewayUrl)) === 'registry', 10_000);
      },
    });
    const killedAt = marks.gatewayKilledMs;
    const backAt = marks.gatewayBackMs;
    const lostDuringRestart = between(run.outcomes, killedAt, backAt).filter(failed).length;
    const measured = {
      recoveryMs: marks.gatewayBackMs - marks.gatewayKilledMs,
      checks: [
        // Requests answered before the gateway itself was killed: one in flight at the kill is the kill's.
        noErrors(
          'the gateway serves while the registry is down',
          between(run.outcomes, run.fromMs, killedAt).filter((o) => o.sentAt + o.latencyMs < killedAt),
        ),
        check(
          'restarted without the registry, it serves the supergraph kept on disk',
          marks.origin === 'cache-file',
          `readiness: supergraph from ${marks.origin || 'nowhere'}`,
        ),
        // A process that just started compiles as it serves: on two busy cores its first calls may
        // pass SUBGRAPH_TIMEOUT_MS. The goal is that it serves, so its first seconds are a note.
        noErrors(
          `no failed request from ${WARM_UP_MS / 1000} s after the restarted gateway is ready`,
          between(run.outcomes, backAt + WARM_UP_MS),
        ),
        check(
          'publishes resume when the registry is back',
          marks.published,
          marks.published ? 'published' : 'publishing failed for 10 s',
        ),
      ],
      notes: [
        `${between(run.outcomes, backAt, backAt + WARM_UP_MS).filter(failed).length} requests failed in the restarted gateway's first ${WARM_UP_MS / 1000} s`,
        `${lostDuringRestart} requests failed while the single gateway process restarted (${((marks.gatewayBackMs - marks.gatewayKilledMs) / 1000).toFixed(1)} s; nothing balances one gateway: see gateway-sigterm for two)`,
      ],
    };
    return faultReport(this, context, run, measured);
  },
};
