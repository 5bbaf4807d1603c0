import { expect, test } from 'bun:test';
import { createLogger } from '../../../kit/log';
import { createInProcessQueue, DEFAULT_MAX_QUEUED_EVENTS, retryDelayMs } from '../events';
import { offerEvent } from './offer-event';

test('the in-process queue holds at most maxQueued events and takes more once they are handled', async () => {
  expect(DEFAULT_MAX_QUEUED_EVENTS).toBeGreaterThan(0);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const handled: string[] = [];
  const queue = createInProcessQueue({
    logger: createLogger('events-test', 'silent'),
    maxQueued: 2,
    handle: async (e) => {
      await gate;
      handled.push(e.offer.id);
    },
  });
  expect(queue.push(offerEvent('a'))).toBe(true);
  expect(queue.push(offerEvent('b'))).toBe(true);
  expect(queue.push(offerEvent('c'))).toBe(false);
  release();
  await queue.idle();
  expect(handled).toEqual(['a', 'b']);
  expect(queue.push(offerEvent('d'))).toBe(true);
  await queue.idle();
  expect(handled).toEqual(['a', 'b', 'd']);
});

test('search retries an event it could not apply for minutes, not seconds: a database restart loses nothing', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8].map(retryDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  // 40 attempts: 39 pauses between them.
  const windowMs = Array.from({ length: 39 }, (_, i) => retryDelayMs(i + 1)).reduce((a, b) => a + b, 0);
  expect(windowMs).toBeGreaterThan(15 * 60_000);
});
