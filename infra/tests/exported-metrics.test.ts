import { beforeAll, expect, test } from 'bun:test';
import { createRegistryClient } from '../../schema-registry/client';
import { SUBGRAPH_NAMES } from '../../subgraphs';
import { errorCodes, eventually, gql, readCounter } from '../../tests/support/graphql';
import { getSystem } from '../../tests/support/system';
import { DASHBOARDS } from '../grafana/build';
import { alertRules, recordingRules } from '../prometheus/rules';
import { exposedMetrics, metricNames, templateQueryMetricNames, unknownMetrics } from '../promql/metric-names';

/**
 * Every metric a dashboard query or a Prometheus rule reads is one the running system exports.
 * The whole system (tests/support/system.ts) gets a little of every kind of traffic first, so
 * metrics created on first use (SQL, DataLoader, registry counters) exist, then every service's
 * /metrics is scraped.
 */

let scrapes: Record<string, string>;
let metricsUrls: Record<string, string>;

beforeAll(async () => {
  const system = await getSystem();
  const gateway = system.gatewayUrl;
  const makes = await gql(gateway, '{ makes { id models { id } } }');
  expect(makes.errors).toBeUndefined();
  // A document the gateway refuses: an error with a code.
  expect(errorCodes(await gql(gateway, '{ makes { noSuchField } }')).length).toBeGreaterThan(0);

  const email = `metrics-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery';
  const registered = await gql(
    gateway,
    'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
    {
      input: { email, password, name: 'Metrics', city: 'Kazan', kind: 'PRIVATE' },
    },
  );
  expect(registered.errors).toBeUndefined();
  const login = (secret: string) =>
    gql(gateway, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', {
      e: email,
      p: secret,
    });
  expect(errorCodes(await login('not the password'))).toEqual(['UNAUTHENTICATED']);
  const signedIn = await login(password);
  expect(signedIn.errors).toBeUndefined();
  const created = await gql(
    gateway,
    'mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }',
    {
      input: {
        modelId: makes.data.makes[0].models[0].id,
        title: 'Metrics check car',
        price: 1_000_000_00,
        year: 2020,
        mileageKm: 10_000,
        city: 'Kazan',
      },
    },
    { token: signedIn.data.login.accessToken },
  );
  expect(created.errors).toBeUndefined();
  for (const text of ['"metrics"', 'null']) {
    const search = await gql(
      gateway,
      `{ searchOffers(text: ${text}, first: 3) { totalCount offers { id title seller { name } model { name rating { count } } } } }`,
    );
    expect(search.errors).toBeUndefined();
  }

  const registry = createRegistryClient({
    registryUrl: system.registryUrl,
    token: system.registryToken,
    target: 'main',
  });
  const sdl = await gql(system.subgraphUrls.catalog, '{ _service { sdl } }');
  expect((await registry.checkSubgraph({ name: 'catalog', sdl: sdl.data._service.sdl })).ok).toBe(true);

  metricsUrls = {
    gateway: `${gateway}/metrics`,
    registry: `${system.registryUrl}/metrics`,
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `${system.subgraphUrls[name]}/metrics`])),
  };
  scrapes = Object.fromEntries(
    await Promise.all(
      Object.entries(metricsUrls).map(async ([service, url]) => {
        const response = await fetch(url);
        expect({ service, status: response.status }).toEqual({ service, status: 200 });
        return [service, await response.text()] as const;
      }),
    ),
  );
}, 180_000);

/** Every family any service exports, with its type. */
const exported = () => new Map(Object.values(scrapes).flatMap((text) => [...exposedMetrics(text)]));

test('dashboards read only metrics the services export', () => {
  const recorded = new Set(recordingRules().map((rule) => rule.record));
  for (const dashboard of DASHBOARDS) {
    const panels = dashboard.panels as { title: string; targets?: { expr: string }[] }[];
    const variables = dashboard.templating.list.slice(1) as { name: string; query: { query: string } }[];
    const reads = [
      ...panels.flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({ where: panel.title, names: metricNames(target.expr) })),
      ),
      ...variables.map((variable) => ({
        where: `variable ${variable.name}`,
        names: templateQueryMetricNames(variable.query.query),
      })),
    ];
    const missing = reads
      .map(({ where, names }) => ({ where, unknown: unknownMetrics(names, exported(), recorded) }))
      .filter((read) => read.unknown.length > 0);
    expect({ dashboard: dashboard.uid, missing }).toEqual({ dashboard: dashboard.uid, missing: [] });
  }
});

test('alert and recording rules read only metrics the services export (or other rules record)', () => {
  const recorded = new Set(recordingRules().map((rule) => rule.record));
  const rules = [
    ...alertRules().map((rule) => ({ rule: rule.alert, expr: rule.expr })),
    ...recordingRules().map((rule) => ({ rule: rule.record, expr: rule.expr })),
  ];
  expect(rules.length).toBeGreaterThan(20);
  const missing = rules
    .map(({ rule, expr }) => ({ rule, unknown: unknownMetrics(metricNames(expr), exported(), recorded) }))
    .filter((entry) => entry.unknown.length > 0);
  expect(missing).toEqual([]);
  // The names in rules are really read from the expressions (a broken extractor would pass the check above).
  const read = new Set(rules.flatMap(({ expr }) => metricNames(expr)));
  for (const name of ['autograph_gateway_http_responses_total', 'graphql_yoga_http_duration_bucket', 'up'])
    expect(read).toContain(name);
});

test('the latency SLO has its bucket, and the metrics added for the dashboards count what they say', async () => {
  expect(scrapes.gateway).toMatch(/^graphql_yoga_http_duration_bucket\{le="0\.2",/m);
  expect(await readCounter(metricsUrls.gateway!, 'autograph_gateway_graphql_errors_total')).toBeGreaterThan(0);
  expect(await readCounter(metricsUrls.users!, 'autograph_sign_ins_total', { result: 'success' })).toBeGreaterThan(0);
  expect(await readCounter(metricsUrls.users!, 'autograph_sign_ins_total', { result: 'failure' })).toBeGreaterThan(0);
  expect(await readCounter(metricsUrls.offers!, 'autograph_offers_created_total')).toBeGreaterThan(0);
  expect(await readCounter(metricsUrls.search!, 'autograph_searches_total', { text: 'yes' })).toBeGreaterThan(0);
  expect(await readCounter(metricsUrls.search!, 'autograph_searches_total', { text: 'no' })).toBeGreaterThan(0);
  expect(
    await readCounter(metricsUrls.registry!, 'autograph_registry_checks_total', { result: 'passed' }),
  ).toBeGreaterThan(0);
  expect(await readCounter(metricsUrls.offers!, 'autograph_dataloader_batch_size_count')).toBeGreaterThan(0);
  for (const service of SUBGRAPH_NAMES) {
    const sqlTime = await readCounter(metricsUrls[service]!, 'autograph_sql_statement_duration_seconds_count', {
      service,
    });
    expect({ service, timed: sqlTime > 0 }).toEqual({ service, timed: true });
    const poolSize = await readCounter(metricsUrls[service]!, 'autograph_sql_pool_max_connections', { service });
    expect({ service, poolSize: poolSize > 0 }).toEqual({ service, poolSize: true });
  }
  // Nothing is left in flight once every request has been answered. The peers' background work
  // (their erasure polls to users, every few hundred ms here) sends statements now and then: the
  // gauge must come back to 0, not be 0 at one instant.
  for (const service of SUBGRAPH_NAMES) {
    const inFlight = () => readCounter(metricsUrls[service]!, 'autograph_sql_in_flight', { service });
    const settled = await eventually(async () => (await inFlight()) === 0 && 'back to 0', 5_000, 20).catch(
      async () => `still ${await inFlight()} after 5 s`,
    );
    expect({ service, settled }).toEqual({ service, settled: 'back to 0' });
  }
});
