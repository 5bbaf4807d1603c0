import { expect, test } from 'bun:test';
import { createLogger } from '../../../kit/log';
import { createInProcessQueue, DEFAULT_MAX_QUEUED_EVENTS, type OfferEvent } from '../events';

const event = (id: string): OfferEvent => ({
  type: 'offer.changed',
  offer: {
    id,
    sellerId: id,
    modelId: id,
    makeId: 'm',
    title: 't',
    price: 1,
    currency: 'RUB',
    year: 2020,
    mileageKm: 1,
    city: 'c',
    status: 'ACTIVE',
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  },
});

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
  expect(queue.push(event('a'))).toBe(true);
  expect(queue.push(event('b'))).toBe(true);
  expect(queue.push(event('c'))).toBe(false);
  release();
  await queue.idle();
  expect(handled).toEqual(['a', 'b']);
  expect(queue.push(event('d'))).toBe(true);
  await queue.idle();
  expect(handled).toEqual(['a', 'b', 'd']);
});
