import { afterEach, describe, expect, test } from 'bun:test';
import { caching } from '../../caching';
import { rateLimit } from '../../rate-limit';
import { resilience } from '../../resilience';
import { security } from '../../security';
import { telemetry } from '../../telemetry';
import { DEFAULT_MAX_OPERATION_NAMES } from '../../../kit/bounded-label';
import { createInMemoryGateway, faults, testDeps, testOptions, type InMemoryGateway } from '../in-memory';

/**
 * useMetrics on an in-memory gateway, built by the telemetry concern's index (tracing and usage
 * reporting off): /metrics is scraped through the gateway itself, as Prometheus does.
 */

const gateways: InMemoryGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.dispose()));
});

/** A gateway with the telemetry concern first, then the other concerns named, as the chain orders them. */
function observedGateway(
  env: Record<string, string> = {},
  concerns: ('security' | 'rateLimit' | 'caching' | 'resilience')[] = [],
) {
  const deps = testDeps();
  const options = testOptions(env);
  const builders = {
    security: () => security(options.security, deps),
    rateLimit: () => rateLimit(options.rateLimit, deps),
    caching: () => caching(options.caching, deps),
    resilience: () => resilience(options.resilience, deps),
  };
  const gateway = createInMemoryGateway({
    parts: [telemetry(options.telemetry, deps), ...concerns.map((name) => builders[name]())],
  });
  gateways.push(gateway);
  return { gateway, metrics: deps.metrics };
}

async function scrape(gateway: InMemoryGateway): Promise<string> {
  const response = await gateway.fetch('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** A sample of the exposition, summed over the label sets that match `labels` (0 when none does). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (Object.entries(labels).every(([key, value]) => (match[2] ?? '').includes(`${key}="${value}"`)))
      total += Number(match[3]);
  }
  return total;
}

describe('useMetrics', () => {
  test("/metrics serves this gateway's registry: Hive's request, HTTP and subgraph metrics beside our concerns' counters", async () => {
    const { gateway, metrics } = observedGateway({}, ['caching']);
    const own = metrics.counter({ name: 'autograph_gateway_test_marker_total', help: 'a counter of this test' });
    own.inc(3);
    const query = 'query Top { topReview { body } product(id: "1") { name reviews { body } } }';
    expect((await gateway.graphql(query)).errors).toBeUndefined();
    expect((await gateway.graphql(query)).headers.get('x-cache')).toBe('HIT');
    expect((await gateway.graphql('query Broken { coded }')).errors).toBeDefined();

    const text = await scrape(gateway);
    expect(sample(text, 'graphql_envelop_request', { operationName: 'Top', operationType: 'query' })).toBe(1);
    expect(sample(text, 'graphql_envelop_request_duration_count', { operationName: 'Top' })).toBe(1);
    expect(
      sample(text, 'graphql_yoga_http_duration_count', { operationName: 'Top', statusCode: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'graphql_envelop_error_result', { operationName: 'Broken', phase: 'execute' })).toBe(1);
    expect(sample(text, 'graphql_gateway_subgraph_execute_duration_count', { subgraphName: 'products' })).toBe(2);
    expect(sample(text, 'graphql_gateway_subgraph_execute_duration_count', { subgraphName: 'reviews' })).toBe(2);
    expect(sample(text, 'graphql_gateway_subgraph_execute_errors', { subgraphName: 'products' })).toBe(1);
    expect(sample(text, 'graphql_gateway_fetch_duration_count')).toBe(4);
    // The other concerns' metrics and any other metric of this gateway, on the same endpoint.
    expect(sample(text, 'autograph_gateway_response_cache_requests_total', { result: 'miss' })).toBe(2);
    expect(sample(text, 'autograph_gateway_response_cache_requests_total', { result: 'hit' })).toBe(1);
    expect(sample(text, 'autograph_gateway_query_plan_cache_requests_total', { result: 'miss' })).toBe(2);
    expect(sample(text, 'autograph_gateway_test_marker_total')).toBe(3);
    // Hive's series have bounded labels: no URL, no error path, no document text.
    expect(
      text.split('\n').filter((line) => line.startsWith('graphql_') && /\b(url|path)="|topReview/.test(line)),
    ).toEqual([]);
    // Not a GraphQL request: /metrics itself is not counted as one.
    expect(sample(text, 'graphql_yoga_http_duration_count', { method: 'GET' })).toBe(0);
  });

  test('two gateways in one process count apart', async () => {
    const { gateway: one } = observedGateway();
    const { gateway: other } = observedGateway();
    await one.graphql('query OnlyOnOne { topReview { body } }');
    expect(sample(await scrape(one), 'graphql_envelop_request', { operationName: 'OnlyOnOne' })).toBe(1);
    const otherText = await scrape(other);
    expect(otherText).not.toContain('OnlyOnOne');
    expect(sample(otherText, 'graphql_gateway_fetch_duration_count')).toBe(0);
  });

  test('METRICS_OPERATION_NAMES=off labels series with the operation type only', async () => {
    const { gateway } = observedGateway({ METRICS_OPERATION_NAMES: 'off' });
    await gateway.graphql('query ClientChosenName { topReview { body } }');
    const text = await scrape(gateway);
    expect(text).not.toContain('ClientChosenName');
    expect(sample(text, 'graphql_envelop_request', { operationType: 'query' })).toBe(1);
  });

  test('client-chosen operation names past the bound are counted as "(other)", not as series of their own', async () => {
    const { gateway } = observedGateway();
    const names = Array.from({ length: DEFAULT_MAX_OPERATION_NAMES + 5 }, (_, n) => `Minted${n}`);
    for (const name of names) await gateway.graphql(`query ${name} { topReview { body } }`);
    const text = await scrape(gateway);
    const named = names.filter((name) => sample(text, 'graphql_envelop_request', { operationName: name }) === 1);
    expect(named).toEqual(names.slice(0, DEFAULT_MAX_OPERATION_NAMES));
    expect(sample(text, 'graphql_envelop_request', { operationName: '(other)' })).toBe(5);
    // Subgraph calls carry the planner's names, not the client's.
    expect(text).not.toMatch(/subgraph_execute_duration_count\{[^}]*Minted/);
  });

  test('METRICS=off: no /metrics endpoint', async () => {
    const { gateway } = observedGateway({ METRICS: 'off' });
    const response = await gateway.fetch('/metrics');
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('graphql_envelop_request');
  });

  test('METRICS_TOKEN: /metrics answers 401 without the bearer token, the registry with it; GraphQL is untouched', async () => {
    const token = 'scrape-token-0123456789';
    const { gateway } = observedGateway({ METRICS_TOKEN: token });
    await gateway.graphql('query Guarded { topReview { body } }');
    const refused = await gateway.fetch('/metrics');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Bearer');
    expect(await refused.text()).not.toContain('graphql_envelop_request');
    expect(
      (await gateway.fetch('/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
    const allowed = await gateway.fetch('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    expect(sample(await allowed.text(), 'graphql_envelop_request', { operationName: 'Guarded' })).toBe(1);
  });

  test('in production, /metrics is not served without METRICS_TOKEN and operation names are off by default', async () => {
    // Production refuses to start without these (the gateway's own checks); they play no part here.
    const { gateway, metrics } = observedGateway({
      NODE_ENV: 'production',
      REGISTRY_TOKEN: 'registry-token-0123456789',
      GATEWAY_HMAC_SECRET: 'hmac-secret-0123456789-0123456789-0123',
    });
    await gateway.graphql('query ClientChosenName { topReview { body } }');
    expect((await gateway.fetch('/metrics')).status).toBe(404);
    // Still measured (the registry could be pushed elsewhere), without the client-chosen name.
    const text = await metrics.registry.metrics();
    expect(sample(text, 'graphql_envelop_request', { operationType: 'query' })).toBe(1);
    expect(text).not.toContain('ClientChosenName');
  });

  // Yoga's HTTP histogram sees only requests whose document was parsed; our own counter sees every answer.
  test('rejected requests are counted with their HTTP status (429 rate limited, 413 body too large)', async () => {
    const { gateway } = observedGateway({ RATE_LIMIT_REQUESTS: '1', MAX_REQUEST_BODY_BYTES: '256' }, [
      'security',
      'rateLimit',
    ]);
    const query = 'query Counted { topReview { body } }';
    expect((await gateway.graphql(query)).status).toBe(200);
    expect((await gateway.graphql(query)).status).toBe(429);
    const big = JSON.stringify({ query, variables: { padding: 'x'.repeat(1_000) } });
    const tooLarge = await gateway.fetch(
      '/graphql',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
        body: big,
      },
      '127.0.0.1',
    );
    expect(tooLarge.status).toBe(413);

    const text = await scrape(gateway);
    expect(sample(text, 'autograph_gateway_http_responses_total', { status: '200' })).toBe(1);
    expect(sample(text, 'autograph_gateway_http_responses_total', { status: '429' })).toBe(1);
    expect(sample(text, 'autograph_gateway_http_responses_total', { status: '413' })).toBe(1);
  });
  // A subgraph that is down leaves its fields null in a 200: the availability SLO must still see it.
  test('answers below 500 that carry a server-side error are counted as partial failures; client errors are not', async () => {
    const { gateway } = observedGateway({ SUBGRAPH_RETRIES: '0', CIRCUIT_BREAKER: 'off' }, ['security', 'resilience']);
    const both = '{ product(id: "1") { name } topReview { body } }';
    expect((await gateway.graphql(both)).errors).toBeUndefined();
    expect((await gateway.graphql('{ noSuchField }')).status).toBe(400);
    gateway.subgraph('products').intercept = faults.networkError();
    const degraded = await gateway.graphql(both);
    expect(degraded.status).toBe(200);
    expect(degraded.errors!.map((error) => error.extensions?.code)).toEqual(['SUBGRAPH_UNAVAILABLE']);

    const text = await scrape(gateway);
    expect(sample(text, 'autograph_gateway_http_responses_total', { status: '200' })).toBe(2);
    expect(sample(text, 'autograph_gateway_http_responses_total', { status: '400' })).toBe(1);
    expect(sample(text, 'autograph_gateway_http_partial_failures_total')).toBe(1);
  });
});
