import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { fileURLToPath } from 'node:url';
import { spawnService, stopChild } from '../../../kit/child-process';
import { errorCodes, eventually, gql, type GraphQLResponse } from '../../../tests/support/graphql';
import { getSystem } from '../../../tests/support/system';
import { ConfigError } from '../../../kit/config';
import { readGatewayEnv } from '../../config';
import { CIRCUIT_STATE } from '../../resilience/use-circuit-breaker';
import {
  newUser,
  startTestGateway,
  stopTestGateways,
  supergraphFile,
  testGatewayEnv,
  type TestGateway,
} from '../harness';
import { gatewayCounter } from '../metrics';

/**
 * Resilience against a reviews subgraph that fails: the gateways here route reviews through a
 * proxy in front of the real reviews process, which the tests stop, restart on the same port, make
 * fail or slow down, and which counts the calls that reach it.
 */
interface ReviewsProxy {
  url: string;
  /** POSTs that reached the proxy (whatever it answered). */
  calls: number;
  /** `fail`: 503 with a non-GraphQL body, as a load balancer in front of a crashed process. */
  mode: 'pass' | 'fail';
  /** Fail only the next N calls, then pass again. */
  failNext: number;
  delayMs: number;
  stop(): void;
  restart(): void;
}

async function startReviewsProxy(): Promise<ReviewsProxy> {
  const target = (await getSystem()).subgraphUrls.reviews;
  let server: Server<undefined>;
  const serve = (port: number) =>
    Bun.serve({
      port,
      hostname: '127.0.0.1',
      async fetch(request) {
        const body = await request.text();
        proxy.calls++;
        if (proxy.delayMs) await Bun.sleep(proxy.delayMs);
        if (proxy.mode === 'fail' || proxy.failNext > 0) {
          proxy.failNext = Math.max(0, proxy.failNext - 1);
          return new Response('upstream unavailable', { status: 503, headers: { 'content-type': 'text/plain' } });
        }
        const headers = new Headers(request.headers);
        headers.delete('host');
        const upstream = await fetch(`${target}${new URL(request.url).pathname}`, {
          method: request.method,
          headers,
          body,
        });
        return new Response(await upstream.arrayBuffer(), {
          status: upstream.status,
          headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' },
        });
      },
    });
  server = serve(0);
  const port = server.port!;
  const proxy: ReviewsProxy = {
    url: `http://127.0.0.1:${port}/graphql`,
    calls: 0,
    mode: 'pass',
    failNext: 0,
    delayMs: 0,
    stop: () => void server.stop(true),
    restart: () => void (server = serve(port)),
  };
  proxies.push(proxy);
  return proxy;
}

const proxies: ReviewsProxy[] = [];
/** A metric of the gateway, for the reviews subgraph unless other labels are given. */
const metric = (gateway: TestGateway, name: string, labels: Record<string, string> = { subgraph: 'reviews' }) =>
  gatewayCounter(gateway, name, labels);

/** Offers (offers subgraph) with their model's name (catalog) and rating (reviews). */
const OFFERS_WITH_RATINGS =
  '{ offers(first: 3) { edges { node { id title model { id name rating { average count } } } } } }';

/** The response cache is off unless a test asks for it: repeated queries must reach the subgraphs. */
const NO_CACHE = { RESPONSE_CACHE: 'off' };

async function gatewayThroughProxy(proxy: ReviewsProxy, env: Record<string, string> = {}): Promise<TestGateway> {
  return startTestGateway({ SUPERGRAPH_FILE: await supergraphFile({ reviews: proxy.url }), ...NO_CACHE, ...env });
}

/** Offers, titles and model names are all there, whatever happened to reviews. */
function expectOffersServed(response: GraphQLResponse) {
  const edges = response.data?.offers?.edges ?? [];
  expect(edges).toHaveLength(3);
  for (const { node } of edges) {
    expect(node.title).toBeString();
    expect(node.model.name).toBeString();
  }
}

/** Every error is about reviews, on a path under the offers it could not rate; ratings are null. */
function expectOnlyReviewsMissing(response: GraphQLResponse, code: string, reason: string) {
  expectOffersServed(response);
  for (const { node } of response.data.offers.edges) expect(node.model.rating).toBeNull();
  expect(response.status).toBe(200);
  expect(response.errors?.length).toBeGreaterThan(0);
  for (const error of response.errors!) {
    expect(error.extensions).toMatchObject({ code, serviceName: 'reviews', reason });
    expect(error.message).toContain('"reviews"');
    expect(error.path?.slice(0, 2)).toEqual(['offers', 'edges']);
  }
}

beforeAll(async () => {
  await getSystem();
}, 120_000);

afterAll(async () => {
  await stopTestGateways();
  for (const proxy of proxies) proxy.stop();
});

describe('configuration', () => {
  test('a wrong value is reported with the name of its variable', async () => {
    const env = await testGatewayEnv({
      CIRCUIT_ERROR_THRESHOLD_PERCENT: '150',
      SUBGRAPH_TIMEOUT_MS: 'soon',
      CIRCUIT_BREAKER: 'maybe',
    });
    expect(() => readGatewayEnv(env)).toThrow(ConfigError);
    for (const name of ['CIRCUIT_ERROR_THRESHOLD_PERCENT', 'SUBGRAPH_TIMEOUT_MS', 'CIRCUIT_BREAKER'])
      expect(() => readGatewayEnv(env)).toThrow(name);
  });

  test('defaults: every safeguard on', async () => {
    expect(readGatewayEnv(await testGatewayEnv()).resilience).toMatchObject({
      enabled: true,
      subgraphTimeoutMs: 5_000,
      retries: { maxRetries: 2 },
      requestDeadlineMs: 10_000,
      circuitBreaker: { errorThresholdPercent: 50, volumeThreshold: 10 },
      drainDelayMs: 0,
    });
    expect(
      readGatewayEnv(
        await testGatewayEnv({
          NODE_ENV: 'production',
          GATEWAY_HMAC_SECRET: 'a-test-secret-of-at-least-32-characters',
        }),
      ).resilience.drainDelayMs,
    ).toBe(5_000);
  });
});

describe('partial data', () => {
  test('a stopped subgraph costs only its own fields; a restarted one serves again', async () => {
    const proxy = await startReviewsProxy();
    const gw = await gatewayThroughProxy(proxy);
    const healthy = await gql(gw.url, OFFERS_WITH_RATINGS);
    expect(healthy.errors).toBeUndefined();
    expectOffersServed(healthy);

    proxy.stop(); // connection refused
    const down = await gql(gw.url, OFFERS_WITH_RATINGS);
    expectOnlyReviewsMissing(down, 'SUBGRAPH_UNAVAILABLE', 'unreachable');
    expect(JSON.stringify(down.errors)).not.toContain('127.0.0.1'); // no internal addresses

    proxy.restart();
    const back = await gql(gw.url, OFFERS_WITH_RATINGS);
    expect(back.errors).toBeUndefined();
    expect(back.data).toEqual(healthy.data);
    await gw.stop();
  });

  test('a partial response is not cached: once the subgraph is back, responses are whole again', async () => {
    const proxy = await startReviewsProxy();
    const gw = await gatewayThroughProxy(proxy, { RESPONSE_CACHE: 'on' });
    proxy.stop();
    expectOnlyReviewsMissing(await gql(gw.url, OFFERS_WITH_RATINGS), 'SUBGRAPH_UNAVAILABLE', 'unreachable');
    proxy.restart();
    const back = await gql(gw.url, OFFERS_WITH_RATINGS);
    expect(back.errors).toBeUndefined();
    expectOffersServed(back);
    // The refused calls never reached the proxy: this one did, so it was not a cache hit.
    expect(proxy.calls).toBeGreaterThan(0);
    await gw.stop();
  });

  test('a slow subgraph times out on its own paths and is not retried', async () => {
    const proxy = await startReviewsProxy();
    const gw = await gatewayThroughProxy(proxy, { SUBGRAPH_TIMEOUT_MS: '500', SUBGRAPH_RETRIES: '2' });
    proxy.delayMs = 3_000;
    const slow = await gql(gw.url, OFFERS_WITH_RATINGS);
    expectOnlyReviewsMissing(slow, 'GATEWAY_TIMEOUT', 'timeout');
    expect(proxy.calls).toBe(1);
    await gw.stop();
  });

  test('the request deadline cuts subgraph calls short without counting against the subgraph', async () => {
    const proxy = await startReviewsProxy();
    const gw = await gatewayThroughProxy(proxy, {
      SUBGRAPH_TIMEOUT_MS: '20000',
      REQUEST_DEADLINE_MS: '2000',
      CIRCUIT_VOLUME_THRESHOLD: '1',
    });
    proxy.delayMs = 8_000;
    const late = await gql(gw.url, OFFERS_WITH_RATINGS);
    expectOnlyReviewsMissing(late, 'GATEWAY_TIMEOUT', 'deadline');
    // One counted failure would have opened this circuit (volume threshold 1): it stays closed.
    expect(await metric(gw, 'autograph_gateway_circuit_state')).toBe(CIRCUIT_STATE.closed);
    proxy.delayMs = 0;
    const callsBefore = proxy.calls;
    expect((await gql(gw.url, OFFERS_WITH_RATINGS)).errors).toBeUndefined();
    expect(proxy.calls).toBe(callsBefore + 1);
    await gw.stop();
  });
});

describe('circuit breaker', () => {
  test('opens after failures, fails fast, probes after the reset timeout and closes on recovery', async () => {
    const proxy = await startReviewsProxy();
    const gw = await gatewayThroughProxy(proxy, {
      SUBGRAPH_RETRIES: '0',
      CIRCUIT_VOLUME_THRESHOLD: '4',
      CIRCUIT_ERROR_THRESHOLD_PERCENT: '50',
      CIRCUIT_RESET_MS: '4000',
    });
    const state = () => metric(gw, 'autograph_gateway_circuit_state');
    const opened = await metric(gw, 'autograph_gateway_circuit_opened_total');
    const closed = await metric(gw, 'autograph_gateway_circuit_closed_total');
    const rejected = await metric(gw, 'autograph_gateway_circuit_rejected_total');
    proxy.mode = 'fail';

    // Below the volume threshold one failure does not open it.
    expectOnlyReviewsMissing(await gql(gw.url, OFFERS_WITH_RATINGS), 'SUBGRAPH_UNAVAILABLE', 'unreachable');
    expect(await state()).toBe(CIRCUIT_STATE.closed);
    for (let i = 0; i < 3; i++)
      expectOnlyReviewsMissing(await gql(gw.url, OFFERS_WITH_RATINGS), 'SUBGRAPH_UNAVAILABLE', 'unreachable');
    expect(proxy.calls).toBe(4);
    expect(await state()).toBe(CIRCUIT_STATE.open);
    expect(await metric(gw, 'autograph_gateway_circuit_opened_total')).toBe(opened + 1);

    // Open: the other subgraphs answer, reviews fails fast and is not called.
    for (let i = 0; i < 3; i++)
      expectOnlyReviewsMissing(await gql(gw.url, OFFERS_WITH_RATINGS), 'SUBGRAPH_UNAVAILABLE', 'circuit-open');
    expect(proxy.calls).toBe(4);
    expect(await metric(gw, 'autograph_gateway_circuit_rejected_total')).toBe(rejected + 3);
    // An open circuit leaves the gateway ready: it still serves everything else.
    expect((await fetch(`${gw.url}/readiness`)).status).toBe(200);

    // Half-open after the reset timeout: one probe reaches the subgraph, fails, and opens it again.
    await eventually(async () => (await state()) === CIRCUIT_STATE.halfOpen, 20_000);
    expectOnlyReviewsMissing(await gql(gw.url, OFFERS_WITH_RATINGS), 'SUBGRAPH_UNAVAILABLE', 'unreachable');
    expect(proxy.calls).toBe(5);
    expect(await state()).toBe(CIRCUIT_STATE.open);
    expect(await metric(gw, 'autograph_gateway_circuit_opened_total')).toBe(opened + 2);

    // The subgraph recovers: the next probe succeeds and closes the circuit.
    proxy.mode = 'pass';
    await eventually(async () => (await state()) === CIRCUIT_STATE.halfOpen, 20_000);
    const probe = await gql(gw.url, OFFERS_WITH_RATINGS);
    expect(probe.errors).toBeUndefined();
    expect(await state()).toBe(CIRCUIT_STATE.closed);
    expect(await metric(gw, 'autograph_gateway_circuit_closed_total')).toBe(closed + 1);
    expect((await gql(gw.url, OFFERS_WITH_RATINGS)).errors).toBeUndefined();
    expect(proxy.calls).toBe(7);
    await gw.stop();
  }, 60_000);

  test('CIRCUIT_BREAKER=off keeps calling a failing subgraph', async () => {
    const proxy = await startReviewsProxy();
    const gw = await gatewayThroughProxy(proxy, {
      CIRCUIT_BREAKER: 'off',
      SUBGRAPH_RETRIES: '0',
      CIRCUIT_VOLUME_THRESHOLD: '1',
    });
    proxy.mode = 'fail';
    for (let i = 0; i < 4; i++)
      expectOnlyReviewsMissing(await gql(gw.url, OFFERS_WITH_RATINGS), 'SUBGRAPH_UNAVAILABLE', 'unreachable');
    expect(proxy.calls).toBe(4);
    await gw.stop();
  });
});

describe('retries', () => {
  test('a query succeeds when its first attempt fails; a mutation is sent exactly once', async () => {
    const proxy = await startReviewsProxy();
    const gw = await gatewayThroughProxy(proxy, { SUBGRAPH_RETRIES: '2', SUBGRAPH_RETRY_DELAY_MS: '50' });
    const retries = await metric(gw, 'autograph_gateway_subgraph_retries_total');

    proxy.failNext = 1;
    const query = await gql(gw.url, OFFERS_WITH_RATINGS);
    expect(query.errors).toBeUndefined();
    expectOffersServed(query);
    expect(proxy.calls).toBe(2);
    expect(await metric(gw, 'autograph_gateway_subgraph_retries_total')).toBe(retries + 1);

    const user = await newUser('resilience');
    const modelId = query.data.offers.edges[0].node.model.id;
    const calls = proxy.calls;
    proxy.failNext = 1;
    const mutation = await gql(
      gw.url,
      'mutation ($input: AddReviewInput!) { addReview(input: $input) { id rating } }',
      { input: { modelId, rating: 4, text: 'Solid car, would buy again.' } },
      { token: user.token },
    );
    expect(proxy.calls).toBe(calls + 1);
    expect(errorCodes(mutation)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(mutation.data?.addReview ?? null).toBeNull();

    // Through a healthy path the same mutation goes through (it was not applied by the failed call).
    const applied = await gql(
      gw.url,
      'mutation ($input: AddReviewInput!) { addReview(input: $input) { id rating } }',
      { input: { modelId, rating: 4, text: 'Solid car, would buy again.' } },
      { token: user.token },
    );
    expect(applied.errors).toBeUndefined();
    expect(applied.data.addReview.rating).toBe(4);
    expect(await metric(gw, 'autograph_gateway_subgraph_retries_total')).toBe(retries + 1);
    await gw.stop();
  });
});

describe('process', () => {
  const gatewayEntry = fileURLToPath(new URL('../../main.ts', import.meta.url));

  test('bun gateway/main.ts --supergraph <file> serves the supergraph with the full chain', async () => {
    const file = await supergraphFile();
    const child = await spawnService({
      name: 'gateway',
      entry: [gatewayEntry, '--supergraph', file],
      env: await testGatewayEnv(),
    });
    try {
      await eventually(async () => (await fetch(`${child.url}/readiness`)).ok, 30_000);
      const response = await gql(child.url, OFFERS_WITH_RATINGS);
      expect(response.errors).toBeUndefined();
      expectOffersServed(response);
    } finally {
      await stopChild(child);
    }
  });

  /** A gateway process routing reviews through the proxy, ready to take traffic. */
  async function gatewayProcess(proxy: ReviewsProxy, env: Record<string, string> = {}) {
    const file = await supergraphFile({ reviews: proxy.url });
    const child = await spawnService({
      name: 'gateway',
      entry: [gatewayEntry, '--supergraph', file],
      env: await testGatewayEnv({ ...NO_CACHE, ...env }),
    });
    await eventually(async () => (await fetch(`${child.url}/readiness`)).ok, 30_000);
    return child;
  }

  test('stop() lets an in-flight request finish', async () => {
    const proxy = await startReviewsProxy();
    const gw = await gatewayThroughProxy(proxy);
    proxy.delayMs = 1_500;
    const inFlight = gql(gw.url, OFFERS_WITH_RATINGS);
    await eventually(async () => proxy.calls > 0, 10_000, 20);
    await gw.stop();
    const response = await inFlight;
    expect(response.errors).toBeUndefined();
    expectOffersServed(response);
  });

  test('SIGTERM lets an in-flight request finish before the process exits', async () => {
    const proxy = await startReviewsProxy();
    const child = await gatewayProcess(proxy);
    try {
      proxy.delayMs = 2_000;
      const inFlight = gql(child.url, OFFERS_WITH_RATINGS);
      await eventually(async () => proxy.calls > 0, 10_000, 20);
      child.process.kill('SIGTERM');
      const response = await inFlight;
      expect(response.errors).toBeUndefined();
      expectOffersServed(response);
      expect(await child.process.exited).toBe(0);
    } finally {
      await stopChild(child);
    }
  });

  test('while draining (DRAIN_DELAY_MS) /readiness answers 503 and requests are still served', async () => {
    const proxy = await startReviewsProxy();
    const child = await gatewayProcess(proxy, { DRAIN_DELAY_MS: '3000' });
    try {
      proxy.delayMs = 1_000;
      const inFlight = gql(child.url, OFFERS_WITH_RATINGS);
      await eventually(async () => proxy.calls > 0, 10_000, 20);
      child.process.kill('SIGTERM');
      const readiness = await eventually(
        async () => {
          const response = await fetch(`${child.url}/readiness`);
          return response.status === 503 ? response : null;
        },
        2_000,
        20,
      );
      expect(await readiness.json()).toMatchObject({ ready: false });
      // A request arriving during the drain delay (a load balancer that has not looked yet) is served.
      proxy.delayMs = 0;
      const late = await gql(child.url, OFFERS_WITH_RATINGS);
      expect(late.errors).toBeUndefined();
      expect((await inFlight).errors).toBeUndefined();
      expect(await child.process.exited).toBe(0);
    } finally {
      await stopChild(child);
    }
  });
});
