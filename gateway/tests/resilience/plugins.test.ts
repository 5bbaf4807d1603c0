import { afterEach, describe, expect, test } from 'bun:test';
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { resilience } from '../../resilience';
import {
  codesOf,
  createInMemoryGateway,
  faults,
  metricValue,
  testDeps,
  testOptions,
  type InMemoryGateway,
} from '../in-memory';

/**
 * The resilience concern's plugins on an in-memory gateway, built by its index from environment
 * variables: a subgraph is made to fail (refused connection, an HTML error page) or to stall by
 * intercepting its calls, while the other subgraph keeps answering.
 */

const gateways: InMemoryGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.dispose()));
});

function resilientGateway(env: Record<string, string>, plugins: GatewayPlugin[] = []) {
  const deps = testDeps();
  const gateway = createInMemoryGateway({
    parts: [resilience(testOptions(env).resilience, deps)],
    plugins: () => plugins,
  });
  gateways.push(gateway);
  return {
    gateway,
    metrics: deps.metrics,
    products: gateway.subgraph('products'),
    reviews: gateway.subgraph('reviews'),
  };
}

/** The first request loads the supergraph and plans: timing tests start after it. */
async function warmUp(gateway: InMemoryGateway) {
  expect((await gateway.graphql(BOTH)).errors).toBeUndefined();
  gateway.subgraph('products').calls.length = 0;
  gateway.subgraph('reviews').calls.length = 0;
}

/** One field from each subgraph. */
const BOTH = '{ product(id: "1") { name } topReview { body } }';
const noRetries = { SUBGRAPH_RETRIES: '0' };

describe('useSubgraphFailures', () => {
  test('a refused connection is SUBGRAPH_UNAVAILABLE on that subgraph’s paths only, naming it and not its address', async () => {
    const { gateway, products, metrics } = resilientGateway({ ...noRetries, CIRCUIT_BREAKER: 'off' });
    products.intercept = faults.networkError();
    const answer = await gateway.graphql(BOTH);
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ product: null, topReview: { body: 'Boils fast' } });
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0]).toMatchObject({
      path: ['product'],
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'products', reason: 'unreachable' },
    });
    expect(answer.text).not.toContain('10.0.0.7');
    expect(answer.text).not.toContain('subgraph.test');
    expect(
      await metricValue(metrics, 'autograph_gateway_subgraph_failures_total', {
        subgraph: 'products',
        reason: 'unreachable',
      }),
    ).toBe(1);
  });

  test('an HTML error page instead of GraphQL is SUBGRAPH_UNAVAILABLE too', async () => {
    const { gateway, products } = resilientGateway({ ...noRetries, CIRCUIT_BREAKER: 'off' });
    products.intercept = faults.badGateway();
    const answer = await gateway.graphql(BOTH);
    expect(answer.data).toEqual({ product: null, topReview: { body: 'Boils fast' } });
    expect(codesOf(answer)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(answer.text).not.toContain('Bad Gateway');
  });

  test('errors the subgraph answered with pass through untouched', async () => {
    const { gateway } = resilientGateway(noRetries);
    const answer = await gateway.graphql('{ coded }');
    expect(answer.errors).toEqual([
      { message: 'No such offer', path: ['coded'], extensions: { code: 'NOT_FOUND', serviceName: 'products' } },
    ]);
  });
});

describe('useCircuitBreaker', () => {
  test('opens after failures and fails fast with SUBGRAPH_UNAVAILABLE without calling the subgraph, then probes and closes', async () => {
    const { gateway, products, reviews, metrics } = resilientGateway({
      ...noRetries,
      CIRCUIT_VOLUME_THRESHOLD: '3',
      CIRCUIT_ERROR_THRESHOLD_PERCENT: '50',
      CIRCUIT_RESET_MS: '300',
    });
    const state = () => metricValue(metrics, 'autograph_gateway_circuit_state', { subgraph: 'products' });
    products.intercept = faults.networkError();
    for (let i = 0; i < 3; i++)
      expect((await gateway.graphql(BOTH)).errors![0]!.extensions).toMatchObject({
        code: 'SUBGRAPH_UNAVAILABLE',
        reason: 'unreachable',
      });
    expect(products.calls).toHaveLength(3);
    expect(await state()).toBe(2);
    expect(await metricValue(metrics, 'autograph_gateway_circuit_opened_total', { subgraph: 'products' })).toBe(1);

    // Open: no call is made, the error says why; the other subgraph still answers.
    products.intercept = null;
    const fast = await gateway.graphql(BOTH);
    expect(fast.data).toEqual({ product: null, topReview: { body: 'Boils fast' } });
    expect(fast.errors).toHaveLength(1);
    expect(fast.errors![0]).toMatchObject({
      path: ['product'],
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'products', reason: 'circuit-open' },
    });
    expect(products.calls).toHaveLength(3);
    expect(await metricValue(metrics, 'autograph_gateway_circuit_rejected_total', { subgraph: 'products' })).toBe(1);
    expect(reviews.calls.length).toBe(4);

    // After CIRCUIT_RESET_MS one probe goes through; the subgraph is back, so the circuit closes.
    await Bun.sleep(350);
    const probe = await gateway.graphql(BOTH);
    expect(probe.errors).toBeUndefined();
    expect(probe.data).toEqual({ product: { name: 'Kettle' }, topReview: { body: 'Boils fast' } });
    expect(products.calls).toHaveLength(4);
    expect(await state()).toBe(0);
    expect(await metricValue(metrics, 'autograph_gateway_circuit_closed_total', { subgraph: 'products' })).toBe(1);
    expect((await gateway.graphql(BOTH)).errors).toBeUndefined();
  });

  test('a failed probe opens the circuit again', async () => {
    const { gateway, products, metrics } = resilientGateway({
      ...noRetries,
      CIRCUIT_VOLUME_THRESHOLD: '2',
      CIRCUIT_RESET_MS: '300',
    });
    products.intercept = faults.networkError();
    await gateway.graphql(BOTH);
    await gateway.graphql(BOTH);
    expect((await gateway.graphql(BOTH)).errors![0]!.extensions!.reason).toBe('circuit-open');
    await Bun.sleep(350);
    expect((await gateway.graphql(BOTH)).errors![0]!.extensions!.reason).toBe('unreachable');
    expect((await gateway.graphql(BOTH)).errors![0]!.extensions!.reason).toBe('circuit-open');
    expect(products.calls).toHaveLength(3);
    expect(await metricValue(metrics, 'autograph_gateway_circuit_opened_total', { subgraph: 'products' })).toBe(2);
  });

  test('errors the subgraph answered with do not count against its circuit', async () => {
    const { gateway, products } = resilientGateway({ ...noRetries, CIRCUIT_VOLUME_THRESHOLD: '2' });
    for (let i = 0; i < 4; i++) expect(codesOf(await gateway.graphql('{ coded }'))).toEqual(['NOT_FOUND']);
    expect(products.calls).toHaveLength(4);
  });

  test('CIRCUIT_BREAKER=off keeps calling a failing subgraph', async () => {
    const { gateway, products } = resilientGateway({
      ...noRetries,
      CIRCUIT_BREAKER: 'off',
      CIRCUIT_VOLUME_THRESHOLD: '1',
    });
    products.intercept = faults.networkError();
    for (let i = 0; i < 4; i++) await gateway.graphql(BOTH);
    expect(products.calls).toHaveLength(4);
  });
});

describe('useSubgraphRetries', () => {
  test('a query whose first attempt cannot reach the subgraph is retried once and succeeds', async () => {
    const { gateway, products, metrics } = resilientGateway({ SUBGRAPH_RETRIES: '1', SUBGRAPH_RETRY_DELAY_MS: '1' });
    let attempts = 0;
    products.intercept = (request, answer) =>
      ++attempts === 1 ? faults.networkError()(request, answer) : answer(request);
    const answer = await gateway.graphql(BOTH);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ product: { name: 'Kettle' }, topReview: { body: 'Boils fast' } });
    expect(products.calls).toHaveLength(2);
    expect(await metricValue(metrics, 'autograph_gateway_subgraph_retries_total', { subgraph: 'products' })).toBe(1);
  });

  test('a query that keeps failing is attempted 1 + SUBGRAPH_RETRIES times, then answers SUBGRAPH_UNAVAILABLE', async () => {
    const { gateway, products } = resilientGateway({
      SUBGRAPH_RETRIES: '2',
      SUBGRAPH_RETRY_DELAY_MS: '1',
      CIRCUIT_BREAKER: 'off',
    });
    products.intercept = faults.networkError();
    const answer = await gateway.graphql('{ product(id: "1") { name } }');
    expect(codesOf(answer)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(products.calls).toHaveLength(3);
  });

  test('a mutation is never sent twice', async () => {
    const { gateway, products, metrics } = resilientGateway({ SUBGRAPH_RETRIES: '2', SUBGRAPH_RETRY_DELAY_MS: '1' });
    // The first attempt reaches the subgraph and is applied, but its answer is lost.
    products.intercept = async (request, answer) => {
      await answer(request);
      throw new TypeError('fetch failed: socket hang up');
    };
    const answer = await gateway.graphql('mutation { renameProduct(id: "1", name: "Twice?") { name } }');
    // Every root field failed: the planner answers without `data` (stock Hive Gateway does the same).
    expect(answer.data?.renameProduct ?? null).toBeNull();
    expect(codesOf(answer)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(products.calls).toHaveLength(1);
    expect(await metricValue(metrics, 'autograph_gateway_subgraph_retries_total')).toBe(0);
  });

  test('the circuit sees whole calls: one that succeeded on retry is a success, and an open circuit is not retried', async () => {
    const { gateway, products, metrics } = resilientGateway({
      SUBGRAPH_RETRIES: '1',
      SUBGRAPH_RETRY_DELAY_MS: '1',
      CIRCUIT_VOLUME_THRESHOLD: '2',
      CIRCUIT_ERROR_THRESHOLD_PERCENT: '1',
      CIRCUIT_RESET_MS: '10000',
    });
    let attempts = 0;
    products.intercept = (request, answer) =>
      ++attempts % 2 === 1 ? faults.networkError()(request, answer) : answer(request);
    for (let i = 0; i < 3; i++) expect((await gateway.graphql(BOTH)).errors).toBeUndefined();
    expect(products.calls).toHaveLength(6);
    expect(await metricValue(metrics, 'autograph_gateway_circuit_opened_total')).toBe(0);

    products.intercept = faults.networkError();
    await gateway.graphql(BOTH);
    await gateway.graphql(BOTH);
    const calls = products.calls.length;
    expect((await gateway.graphql(BOTH)).errors![0]!.extensions!.reason).toBe('circuit-open');
    expect(products.calls.length).toBe(calls);
  });

  test('errors the subgraph answered with are its answer: not retried', async () => {
    const { gateway, products } = resilientGateway({ SUBGRAPH_RETRIES: '2', SUBGRAPH_RETRY_DELAY_MS: '1' });
    expect(codesOf(await gateway.graphql('{ coded }'))).toEqual(['NOT_FOUND']);
    expect(products.calls).toHaveLength(1);
  });
});

describe('timeouts and the request deadline', () => {
  test('SUBGRAPH_TIMEOUT_MS: a slow subgraph answers GATEWAY_TIMEOUT on its paths, is not retried, and the rest arrives', async () => {
    const { gateway, products, metrics } = resilientGateway({
      SUBGRAPH_TIMEOUT_MS: '300',
      SUBGRAPH_RETRIES: '2',
      SUBGRAPH_RETRY_DELAY_MS: '1',
      REQUEST_DEADLINE_MS: '0',
    });
    await warmUp(gateway);
    products.intercept = faults.slow(5_000);
    const started = performance.now();
    const answer = await gateway.graphql(BOTH);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ product: null, topReview: { body: 'Boils fast' } });
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0]).toMatchObject({
      path: ['product'],
      extensions: { code: 'GATEWAY_TIMEOUT', serviceName: 'products', reason: 'timeout' },
    });
    expect(products.calls).toHaveLength(1);
    expect(
      await metricValue(metrics, 'autograph_gateway_subgraph_failures_total', {
        subgraph: 'products',
        reason: 'timeout',
      }),
    ).toBe(1);
  });

  test('REQUEST_DEADLINE_MS cuts a call that is still running: GATEWAY_TIMEOUT, reason deadline, not counted against the circuit', async () => {
    const { gateway, products, metrics } = resilientGateway({
      ...noRetries,
      SUBGRAPH_TIMEOUT_MS: '0',
      REQUEST_DEADLINE_MS: '300',
      CIRCUIT_VOLUME_THRESHOLD: '1',
    });
    await warmUp(gateway);
    products.intercept = faults.slow(5_000);
    const started = performance.now();
    const answer = await gateway.graphql(BOTH);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(answer.data).toEqual({ product: null, topReview: { body: 'Boils fast' } });
    expect(answer.errors![0]!.extensions).toMatchObject({ code: 'GATEWAY_TIMEOUT', reason: 'deadline' });
    expect(await metricValue(metrics, 'autograph_gateway_subgraph_failures_total', { reason: 'deadline' })).toBe(1);
    // A deadline is the request's, not the subgraph's fault: its circuit stays closed.
    products.intercept = null;
    expect((await gateway.graphql(BOTH)).errors).toBeUndefined();
    expect(await metricValue(metrics, 'autograph_gateway_circuit_opened_total')).toBe(0);
  });

  test('a call planned after the deadline passed is not made: GATEWAY_TIMEOUT at once', async () => {
    // The request spends its whole budget before execution (a slow plugin stands in for anything slow).
    const stall: GatewayPlugin = { onExecute: () => Bun.sleep(80) as unknown as undefined };
    const { gateway, products, reviews } = resilientGateway({ ...noRetries, REQUEST_DEADLINE_MS: '40' }, [stall]);
    const answer = await gateway.graphql(BOTH);
    expect(answer.status).toBe(200);
    // Every root field failed: the planner answers without `data` (stock Hive Gateway does the same).
    expect(answer.data ?? null).toBeNull();
    const failures = answer.errors!.map((error) => [error.path, error.extensions?.code, error.extensions?.reason]);
    expect(failures).toHaveLength(2);
    expect(failures).toContainEqual([['product'], 'GATEWAY_TIMEOUT', 'deadline']);
    expect(failures).toContainEqual([['topReview'], 'GATEWAY_TIMEOUT', 'deadline']);
    expect(products.calls).toHaveLength(0);
    expect(reviews.calls).toHaveLength(0);
  });
});
