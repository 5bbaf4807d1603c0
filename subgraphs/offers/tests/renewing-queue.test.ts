import { afterAll, beforeAll, expect, test } from 'bun:test';
import { Redis } from 'ioredis';
import { register } from 'prom-client';
import { createLogger } from '../../../kit/log';
import { startOwnRedis, type OwnRedis } from '../../../tests/support/own-redis';
import { startStallingProxy, type StallingProxy } from '../../../tests/support/stalling-proxy';
import { createOfferEventSender, SEARCH_QUEUE } from '../events';
import { DEFAULT_RENEWAL, dueForRenewal } from '../renewing-queue';
import { offerEvent } from './offer-event';

/**
 * The offer event queue on a Redis of the test's own, reached through a proxy that can leave the
 * queue's connection open but silent: Redis itself stays fine, only that connection is stuck.
 */
const PREFIX = 'renewal-test';

let redis: OwnRedis;
let proxy: StallingProxy;

beforeAll(async () => {
  redis = await startOwnRedis();
  proxy = startStallingProxy({ host: '127.0.0.1', port: Number(new URL(redis.url).port) });
});

afterAll(async () => {
  proxy?.stop();
  await redis?.stop();
});

const renewals = async () =>
  (await register.getSingleMetric('autograph_outbox_queue_renewals_total')?.get())?.values[0]?.value ?? 0;

test('a queue connection that stops answering is replaced, and events reach Redis again over the new one', async () => {
  const warnings: string[] = [];
  const sender = createOfferEventSender({
    redis: `redis://127.0.0.1:${proxy.port}`,
    queuePrefix: PREFIX,
    searchEventsUrl: 'http://127.0.0.1:9/not-used-with-redis',
    internalToken: 'not-used-with-redis',
    logger: createLogger('renewal-test', 'warn', { write: (line: string) => warnings.push(line) }),
    timeoutMs: 300,
    renewal: { failures: 3, afterMs: 1_000 },
  });
  const direct = new Redis(redis.url);
  const queued = async (offerId: string) => (await direct.exists(`${PREFIX}:${SEARCH_QUEUE}:offer-${offerId}-0`)) === 1;
  try {
    expect(await sender.send([offerEvent('before')])).toBe(1);
    expect(await queued('before')).toBe(true);
    const renewalsBefore = await renewals();

    proxy.stall();
    // As the relay does: the same events again after each failure, until they are taken.
    const failures: string[] = [];
    let taken = 0;
    const deadline = Date.now() + 10_000;
    while (!taken && Date.now() < deadline) {
      taken = await sender.send([offerEvent('after')]).catch((error: Error) => {
        failures.push(error.message);
        return 0;
      });
      if (!taken) await Bun.sleep(100);
    }

    expect(taken).toBe(1);
    expect(await queued('after')).toBe(true);
    // Judged by the rule, not at the first failure: three writes timed out on the stuck connection first.
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(new Set(failures)).toEqual(new Set(['Redis did not take the events']));
    expect(await renewals()).toBe(renewalsBefore + 1);
    expect(warnings.filter((line) => line.includes('connection is replaced'))).toHaveLength(1);
  } finally {
    direct.disconnect();
    await sender.close();
  }
}, 20_000);

test('the queue is renewed only after several failures that together lasted a while', () => {
  const rule = { failures: 3, afterMs: 10_000 };
  expect(dueForRenewal(null, 60_000, rule)).toBe(false);
  // Quick refusals at the start of a Redis restart: many, but within a second.
  expect(dueForRenewal({ failures: 5, sinceMs: 0 }, 900, rule)).toBe(false);
  // One write that hung for long: a long time, but a single failure so far.
  expect(dueForRenewal({ failures: 1, sinceMs: 0 }, 30_000, rule)).toBe(false);
  expect(dueForRenewal({ failures: 3, sinceMs: 0 }, 10_000, rule)).toBe(true);
  expect(DEFAULT_RENEWAL.failures).toBeGreaterThan(1);
  expect(DEFAULT_RENEWAL.afterMs).toBeGreaterThanOrEqual(5_000);
});
