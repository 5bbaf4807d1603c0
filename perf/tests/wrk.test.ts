import { describe, expect, test } from 'bun:test';
import { getScenario } from '../scenarios';
import { runLoad } from '../lab/load';
import { createRequestSource } from '../lab/requests';
import { encodeRequests, generateWrkScript, rawRequest } from '../lab/wrk/script';
import { parseWrkDone, parseWrkText, wrkLoadResult } from '../lab/wrk/run';

const hasWrk = Bun.which('wrk') !== null;

/** What `wrk -t1 -c8 -d1s --latency` printed here (4.1.0), with the lab's result line. */
const RECORDED = `Running 1s test @ http://127.0.0.1:4000
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   312.40us  120.11us   4.02ms   91.20%
    Req/Sec    24.10k     1.20k   26.00k    80.00%
  Latency Distribution
     50%  290.00us
     75%  340.00us
     90%  420.00us
     99%    1.10ms
  24012 requests in 1.00s, 7.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:  23998.51
Transfer/sec:      7.11MB
WRK_RESULT {"requests":24012,"durationUs":1000551,"failures":7,"errors":{"connect":0,"read":2,"write":0,"status":5,"timeout":1},"latencyUs":{"mean":312.4,"max":4020,"p50":290,"p95":610,"p99":1100},"perSecond":{"1796170000":12000,"1796170001":12012},"failuresPerSecond":{"1796170001":7},"samples":["500 {\\"errors\\":[]}"]}
`;

describe('wrk output', () => {
  test('the summary text: requests, RPS, percentiles in ms, non-2xx and socket errors', () => {
    expect(parseWrkText(RECORDED)).toEqual({
      requests: 24012,
      rps: 23998.51,
      latencyMs: { p50: 0.29, p75: 0.34, p90: 0.42, p99: 1.1 },
      non2xx: 5,
      socketErrors: { connect: 0, read: 2, write: 0, timeout: 1 },
    });
  });

  test("the script's result line becomes the lab's load result; socket errors and timeouts count as failures", () => {
    const result = wrkLoadResult(parseWrkDone(RECORDED), 1, ['makes-by-hash']);
    expect(result.requests).toBe(24012 + 2 + 1);
    expect(result.failures).toBe(7 + 2 + 1);
    expect(result.transportErrors).toBe(2);
    expect(result.timeouts).toBe(1);
    expect(result.latency.p95Ms).toBeCloseTo(0.61);
    expect(result.durationSec).toBeCloseTo(1.000551);
    expect(result.perSecond.map((s) => [s.second, s.requests, s.failures])).toEqual([
      [1, 12000, 0],
      [2, 12012, 7],
    ]);
    expect(result.byOperation['makes-by-hash']!.requests).toBe(24012);
    expect(result.failureSamples).toEqual([{ operation: 'makes-by-hash', status: 500, body: '{"errors":[]}' }]);
    expect(() => parseWrkDone('no line')).toThrow(/no result line/);
  });
});

describe('wrk requests', () => {
  const scenario = getScenario('offer-list-2hop');

  test('raw requests carry host, headers and the exact body length (multi-byte text too)', () => {
    const raw = rawRequest(
      {
        operation: 'x',
        method: 'POST',
        path: '/graphql',
        headers: { a: 'b' },
        body: '{"t":"Лада"}',
        expectedErrors: [],
      },
      '127.0.0.1:1',
    );
    expect(raw).toBe('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:1\r\na: b\r\nContent-Length: 16\r\n\r\n{"t":"Лада"}');
    expect(encodeRequests(['ab', 'Л']).toString()).toBe('2\nab2\nЛ');
    expect(generateWrkScript('/tmp/r.bin', ['FORBIDDEN'])).toContain('local expected = { "FORBIDDEN" }');
  });

  test.skipIf(!hasWrk)(
    'wrk sends the scenario’s varied bodies, counts what the server answered, and flags GraphQL errors',
    async () => {
      const seen: string[] = [];
      let answered = 0;
      const server = Bun.serve({
        port: 0,
        hostname: '127.0.0.1',
        async fetch(request) {
          const body = await request.text();
          seen.push(body);
          answered++;
          // Every 10th answer carries an error code the operation does not expect.
          return answered % 10 === 0
            ? Response.json({ errors: [{ message: 'no', extensions: { code: 'INTERNAL' } }] })
            : Response.json({ data: { ok: true } });
        },
      });
      try {
        const next = createRequestSource(scenario, { pools: {}, tokens: [] });
        const result = await runLoad({
          url: `http://127.0.0.1:${server.port}`,
          scenario,
          next,
          connections: 4,
          durationSec: 2,
          driver: 'wrk',
        });
        expect(result.requests).toBeGreaterThan(200);
        // wrk stops with requests in flight: the server may have answered a few more than wrk counted.
        expect(answered - result.requests).toBeGreaterThanOrEqual(0);
        expect(answered - result.requests).toBeLessThanOrEqual(4);
        expect(result.failures / result.requests).toBeCloseTo(0.1, 1);
        expect(result.generator.name).toBe('wrk');
        expect(result.generator.cpuSec).toBeGreaterThan(0);
        const floors = seen.map((body) => JSON.parse(body).variables.priceMin as number);
        expect(new Set(floors).size).toBeGreaterThan(Math.min(200, floors.length / 2));
        const counts = new Map<number, number>();
        for (const floor of floors) counts.set(floor, (counts.get(floor) ?? 0) + 1);
        const collision = [...counts.values()].reduce((sum, n) => sum + (n / floors.length) ** 2, 0);
        expect(collision).toBeLessThan(1 / 32);
        expect(JSON.parse(seen[0]!).query).toBe(scenario.operations[0]!.query);
      } finally {
        server.stop(true);
      }
    },
    60_000,
  );

  test('wrk refuses a rate cap instead of ignoring it', async () => {
    const next = createRequestSource(scenario, { pools: {}, tokens: [] });
    await expect(
      runLoad({ url: 'http://127.0.0.1:1', scenario, next, durationSec: 1, rate: 100, driver: 'wrk' }),
    ).rejects.toThrow(/cannot cap the rate/);
  });
});
