import { between, noErrors, noServerErrors, recoveryMs, failed } from '../analysis';
import { faultReport, underLoad, type Fault } from '../fault';
import { waitUntil } from '../infra/processes';

/** Reads in flight on the replica's connections when it stops may fail; after this, none. */
const FALLBACK_WINDOW_MS = 2_000;

export const replicaStop: Fault = {
  name: 'replica-stop',
  description:
    "Stop the streaming replica (DATABASE_REPLICA_URLS) under the read mix, start it again after the fault's time.",
  goal: `reads fall back to the primary: 0 errors from ${FALLBACK_WINDOW_MS / 1000} s after the stop, 0 HTTP 5xx`,
  async run(context) {
    const { replica } = context.chaos;
    const run = await underLoad(context, {
      next: context.chaos.reads(),
      async inject() {
        await replica.stop('fast');
      },
      async lift() {
        await replica.start();
      },
      async back() {
        await waitUntil(() => replica.isUp(), 30_000);
      },
    });
    const measured = {
      recoveryMs: recoveryMs(run.outcomes, run.fromMs, failed),
      checks: [
        noServerErrors(
          `no HTTP 5xx from ${FALLBACK_WINDOW_MS / 1000} s after the stop`,
          between(run.outcomes, run.fromMs + FALLBACK_WINDOW_MS),
        ),
        noErrors(
          `no failed read from ${FALLBACK_WINDOW_MS / 1000} s after the replica stopped`,
          between(run.outcomes, run.fromMs + FALLBACK_WINDOW_MS),
        ),
      ],
    };
    return faultReport(this, context, run, measured);
  },
};
