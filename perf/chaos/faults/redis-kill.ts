import { check } from '../analysis';
import { faultReport, underLoad, type Fault } from '../fault';
import { waitUntil } from '../infra/processes';
import { redisOutageChecks } from './redis-checks';

export const redisKill: Fault = {
  name: 'redis-kill',
  description: "SIGKILL the suite's Redis (primary and replica: no Redis at all), restart both after the fault's time.",
  goal: '0 HTTP 5xx; cache bypassed; rate limiter follows RATE_LIMIT_REDIS_DOWN (local); cache and limiter resume after the restart',
  async run(context) {
    const { primary, replica } = context.chaos.redis;
    let usableAtMs = Number.POSITIVE_INFINITY;
    let keysAfter = 0;
    const run = await underLoad(context, {
      next: context.chaos.reads(),
      async inject() {
        await Promise.all([primary.kill(), replica.kill()]);
      },
      async lift() {
        await primary.start();
        await replica.start();
      },
      async back() {
        // Both cache and limiter write keys again: the restarted Redis started empty.
        await waitUntil(async () => Number(await primary.command('DBSIZE')) > 0, 15_000);
        keysAfter = Number(await primary.command('DBSIZE'));
      },
    });
    usableAtMs = run.toMs;
    const measured = redisOutageChecks(run, { usableAtMs, cacheResumeMs: 10_000 });
    measured.checks.push(check('Redis written again after the restart', keysAfter > 0, `${keysAfter} keys`));
    return faultReport(this, context, run, measured);
  },
};
