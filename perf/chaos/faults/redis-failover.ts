import { check } from '../analysis';
import { faultReport, underLoad, type Fault } from '../fault';
import { waitUntil } from '../infra/processes';
import type { RedisNode } from '../infra/redis';
import { redisOutageChecks } from './redis-checks';

/** The clients follow the sentinels: caching may be degraded this long from the primary's death. */
const DEGRADED_LIMIT_MS = 10_000;

export const redisFailover: Fault = {
  name: 'redis-failover',
  description:
    'SIGKILL the Redis primary watched by three sentinels (REDIS_SENTINELS, REDIS_SENTINEL_NAME); the replica is promoted; the old primary comes back as a replica.',
  goal: `clients follow the new primary: ≤ ${DEGRADED_LIMIT_MS / 1000} s of degraded caching, 0 HTTP 5xx`,
  async run(context) {
    const { redis } = context.chaos;
    const nodes = [redis.primary, redis.replica];
    const masterPort = async () => Number((await redis.masterAddress()).split(':')[1]);
    let old: RedisNode | undefined;
    let promoted: RedisNode | undefined;
    const run = await underLoad(context, {
      next: context.chaos.reads(),
      async inject() {
        const port = await masterPort();
        old = nodes.find((n) => n.port === port)!;
        await old.kill();
        await waitUntil(async () => (await masterPort()) !== port, 20_000, 200);
        promoted = nodes.find((n) => n !== old);
        context.log(`sentinels promoted ${promoted?.name} (port ${await masterPort()})`);
      },
      async lift() {
        await old?.start(); // the sentinels turn it into a replica of the new primary
      },
    });
    const promotedNow = promoted !== undefined && (await masterPort()) === promoted.port;
    // Degraded caching is measured from the primary's death, not from its return.
    const measured = redisOutageChecks(run, { usableAtMs: run.fromMs, cacheResumeMs: DEGRADED_LIMIT_MS });
    const clients = promoted ? await applicationClients(promoted) : 0;
    // A client still on the demoted node gets READONLY for every write: a BullMQ worker there
    // would hand no offer event to search. Each must have left it within the degraded limit.
    let leftBehind = -1;
    if (old) {
      const demoted = old;
      await waitUntil(async () => (leftBehind = await applicationClients(demoted)) === 0, DEGRADED_LIMIT_MS, 500);
    }
    measured.checks.push(
      check('the sentinels promoted the replica', promotedNow, `master now on port ${await masterPort()}`),
      check(
        'the services connected to the new primary',
        clients > 0,
        `${clients} client connections besides sentinels and replicas`,
      ),
      check(
        'no service left on the demoted primary',
        leftBehind === 0,
        `${leftBehind} client connections on it ${DEGRADED_LIMIT_MS / 1000} s after its return`,
      ),
    );
    return faultReport(this, context, run, measured);
  },
};

/** Connections to a Redis node that are neither sentinels, replicas nor this query. */
async function applicationClients(node: RedisNode): Promise<number> {
  const list = await node.command('CLIENT', 'LIST').catch(() => '');
  return list
    .split('\n')
    .filter((line) => line.includes('flags='))
    .filter((line) => !/name=sentinel/.test(line) && !/flags=\w*S/.test(line) && !/cmd=client\|list/.test(line)).length;
}
