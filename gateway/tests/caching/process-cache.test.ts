import { expect, test } from 'bun:test';
import { createProcessCache } from '../../caching/process-cache';

test('expired entries leave the process cache without being read again (memory follows live entries)', async () => {
  const cache = createProcessCache({ maxEntries: 10_000, maxBytes: 64 * 2 ** 20 });
  try {
    for (let i = 0; i < 500; i++) cache.put(`k${i}`, 'x'.repeat(1_000), [`Offer:${i}`, 'Offer'], 200);
    expect(cache.size).toBe(500);
    expect(cache.bytes).toBeGreaterThan(500 * 2_000);
    // Nobody reads them again; the sweep takes them within its interval after they expire.
    await Bun.sleep(1_500);
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  } finally {
    cache.close();
  }
});
