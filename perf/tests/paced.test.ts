import { afterAll, describe, expect, test } from 'bun:test';
import { getScenario } from '../scenarios';
import { runLoad } from '../lab/load';
import type { PreparedRequest } from '../lab/requests';

// A real server that notes when each request arrives and answers after `delayMs`.
let delayMs = 20;
const arrivals: number[] = [];
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch() {
    arrivals.push(performance.now());
    await Bun.sleep(delayMs);
    return Response.json({ data: { ok: true } });
  },
});
afterAll(() => server.stop(true));

const url = `http://127.0.0.1:${server.port}`;
const scenario = getScenario('offer-list-2hop');
const next = (): PreparedRequest => ({
  operation: 'probe',
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json' },
  body: '{"query":"{ ok }"}',
  expectedErrors: [],
});

describe('the paced driver (open model)', () => {
  test('sends at an even rate, not in bursts, and times each request from when it was due', async () => {
    arrivals.length = 0;
    delayMs = 20;
    const result = await runLoad({ url, scenario, next, rate: 100, connections: 32, durationSec: 2 });
    expect(result.generator.name).toBe('paced');
    expect(result.requests).toBe(200);
    expect(result.failures).toBe(0);
    expect(arrivals.length).toBe(200);
    // At 100 RPS a 100 ms window holds 10 requests; a burst of a second's share would put
    // dozens into one. Allow timer jitter, not bursts.
    const start = arrivals[0]!;
    const perWindow = new Map<number, number>();
    for (const at of arrivals) {
      const window = Math.floor((at - start) / 100);
      perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
    }
    expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(16);
    expect(result.latency.p50Ms).toBeGreaterThanOrEqual(delayMs);
    expect(result.latency.p50Ms).toBeLessThan(delayMs + 40);
    expect(result.byOperation.probe!.requests).toBe(200);
  });

  test('a request due while maxInFlight are open is dropped and counted as a failure', async () => {
    delayMs = 400;
    const result = await runLoad({ url, scenario, next, rate: 100, connections: 10, durationSec: 1 });
    // 10 open requests hold for 400 ms each: at most about 30 of the 100 can start.
    expect(result.requests).toBe(100);
    expect(result.failures).toBeGreaterThanOrEqual(60);
    expect(result.failureSamples.some((sample) => sample.operation === '(dropped)')).toBe(true);
    expect(result.generator.note).toMatch(/dropped/);
  });

  test('a rate is required', () => {
    expect(runLoad({ url, scenario, next, durationSec: 1, driver: 'paced' })).rejects.toThrow(/needs a rate/);
  });
});
