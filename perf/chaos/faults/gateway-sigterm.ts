import { check, noErrors } from '../analysis';
import { faultReport, underLoad, type Fault } from '../fault';
import { startHaproxy } from '../infra/haproxy';
import { Resources } from '../infra/processes';
import { startGatewayVariant, type GatewayVariant } from '../../lab/target';

/** How long a terminated gateway keeps serving with /readiness at 503: several health checks of the balancer. */
const DRAIN_DELAY_MS = 2_000;

export const gatewaySigterm: Fault = {
  name: 'gateway-sigterm',
  description: `Two gateways behind HAProxy (health check /readiness); SIGTERM one under load (DRAIN_DELAY_MS=${DRAIN_DELAY_MS}).`,
  goal: '0 failed requests; the terminated gateway drains and exits cleanly',
  async run(context) {
    const { chaos } = context;
    // Gateways and balancer of this fault only: stopped when it ends.
    const own = new Resources({ handleSignals: false });
    try {
      // Wherever the sentinels say the primary is now (an earlier fault may have failed it over).
      const redisUrl = `redis://${await chaos.redis.masterAddress()}`;
      const lab = { system: chaos.system, redisUrl, stop: async () => {} };
      const env = {
        ...chaos.env,
        GATEWAY_HMAC_SECRET: chaos.hmacSecret,
        DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
        SUPERGRAPH_CACHE_FILE: 'off',
      };
      const gateways: GatewayVariant[] = [];
      for (let i = 0; i < 2; i++) {
        const gateway = await startGatewayVariant(lab, env);
        own.defer(`stop gateway ${gateway.pid}`, () => gateway.stop());
        gateways.push(gateway);
      }
      const balancer = await startHaproxy(
        own,
        gateways.map((g) => g.url),
      );
      let exit: { code: number | null; ms: number } | undefined;
      const run = await underLoad(context, {
        url: balancer.url,
        next: chaos.reads(),
        async inject() {
          const started = Date.now();
          await gateways[0]!.stop(); // SIGTERM, then waits for the exit
          exit = { code: gateways[0]!.exitCode?.() ?? null, ms: Date.now() - started };
        },
        async lift() {},
      });
      const measured = {
        recoveryMs: 0,
        checks: [
          noErrors('no failed request through the balancer', run.outcomes),
          check(
            'the terminated gateway drained and exited cleanly',
            exit?.code === 0,
            exit ? `exit code ${exit.code} after ${(exit.ms / 1000).toFixed(1)} s` : 'did not exit',
          ),
        ],
      };
      return faultReport(this, context, run, measured);
    } finally {
      await own.release();
    }
  },
};
