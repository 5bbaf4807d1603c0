import { afterAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { register } from 'prom-client';
import { ConfigError } from '../../../kit/config';
import { createLogger } from '../../../kit/log';
import { eventually, gql } from '../../../tests/support/graphql';
import { getSystem } from '../../../tests/support/system';
import { readGatewayEnv } from '../../config';
import { hiveLoggerFrom } from '../../telemetry/hive-logger';
import { spawnTestGateway, startTestGateway, stopTestGateways, testGatewayEnv, type TestGateway } from '../harness';
import { gatewayCounter } from '../metrics';

afterAll(stopTestGateways);

const metricsOf = async (url: string) => (await fetch(`${url}/metrics`)).text();

describe('metrics', () => {
  test("/metrics: requests, durations and errors per operation, subgraph calls, process metrics, other concerns' metrics", async () => {
    const gateway = await startTestGateway();
    expect((await gql(gateway.url, 'query MetricsMakes { makes { name } }')).errors).toBeUndefined();
    expect((await gql(gateway.url, 'query MetricsBroken { makes { nope } }')).errors).toBeDefined();

    const response = await fetch(`${gateway.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(
      await gatewayCounter(gateway, 'graphql_envelop_request', {
        operationName: 'MetricsMakes',
        operationType: 'query',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await gatewayCounter(gateway, 'graphql_envelop_request_duration_count', { operationName: 'MetricsMakes' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await gatewayCounter(gateway, 'graphql_envelop_error_result', {
        operationName: 'MetricsBroken',
        phase: 'validate',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await gatewayCounter(gateway, 'graphql_yoga_http_duration_count', {
        operationName: 'MetricsMakes',
        statusCode: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await gatewayCounter(gateway, 'graphql_gateway_subgraph_execute_duration_count', { subgraphName: 'catalog' }),
    ).toBeGreaterThanOrEqual(1);
    expect(await gatewayCounter(gateway, 'graphql_gateway_fetch_duration_count')).toBeGreaterThanOrEqual(1);
    // Other concerns' metrics, on the same endpoint.
    expect(
      await gatewayCounter(gateway, 'autograph_gateway_query_plan_cache_requests_total', { result: 'miss' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await gatewayCounter(gateway, 'autograph_gateway_response_cache_requests_total', { result: 'miss' }),
    ).toBeGreaterThanOrEqual(1);

    const text = await metricsOf(gateway.url);
    for (const name of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(text).toContain(`\n${name} `);
    // Bounded labels only: no request URL, no error path, no document text.
    const labelled = text
      .split('\n')
      .filter((line) => line.startsWith('graphql_') && /(url|path)="|makes \{/.test(line));
    expect(labelled).toEqual([]);
  });

  test("two gateways in one process count apart, and neither counts in prom-client's default registry", async () => {
    // In-memory response caches: each gateway answers from its own, at once.
    const [one, other] = await Promise.all([
      startTestGateway({ REDIS_URL: undefined }),
      startTestGateway({ REDIS_URL: undefined }),
    ]);
    const hits = (gateway: TestGateway) =>
      gatewayCounter(gateway, 'autograph_gateway_response_cache_requests_total', { result: 'hit' });
    const [oneBefore, otherBefore] = [await hits(one), await hits(other)];
    await eventually(
      async () => (await gql(one.url, 'query CountedApart { makes { name } }')).headers.get('x-cache') === 'HIT',
    );
    expect(await hits(one)).toBeGreaterThan(oneBefore);
    expect(await hits(other)).toBe(otherBefore);
    expect(await metricsOf(other.url)).not.toContain('CountedApart');
    expect(register.getMetricsAsArray().filter((metric) => metric.name.startsWith('autograph_gateway_'))).toEqual([]);
  });

  test("importing the gateway registers nothing in prom-client's default registry", async () => {
    // A fresh process: this one has loaded the gateway (and more) long ago.
    const gatewayDir = fileURLToPath(new URL('../../', import.meta.url));
    const modules = [...new Bun.Glob('**/*.ts').scanSync(gatewayDir)]
      .filter((file) => !file.startsWith('tests/') && !file.includes('/tests/') && file !== 'main.ts')
      .map((file) => join(gatewayDir, file));
    expect(modules).toContain(join(gatewayDir, 'runtime.ts'));
    const script = `for (const file of ${JSON.stringify(modules)}) await import(file);
      const { register } = await import('prom-client');
      console.log(JSON.stringify(register.getMetricsAsArray().map((metric) => metric.name)));
      process.exit(0);`;
    const child = Bun.spawn([process.execPath, '-e', script], { cwd: gatewayDir, stdout: 'pipe', stderr: 'pipe' });
    const [output, errors, code] = [
      await new Response(child.stdout).text(),
      await new Response(child.stderr).text(),
      await child.exited,
    ];
    expect({ code, errors }).toEqual({ code: 0, errors: '' });
    expect(JSON.parse(output)).toEqual([]);
  });

  test("a stopped gateway leaves another gateway's metrics in place", async () => {
    const first = await startTestGateway();
    await gql(first.url, 'query BeforeStop { makes { name } }');
    await first.stop();

    const second = await startTestGateway();
    await gql(second.url, 'query AfterStop { makes { name } }');
    const text = await metricsOf(second.url);
    expect(text).toContain('\nprocess_resident_memory_bytes ');
    expect(text).not.toContain('BeforeStop');
    expect(await gatewayCounter(second, 'graphql_envelop_request', { operationName: 'AfterStop' })).toBe(1);
  });

  test('METRICS=off: no /metrics endpoint, nothing recorded', async () => {
    const gateway = await startTestGateway({ METRICS: 'off' });
    await gql(gateway.url, 'query UnmeasuredMakes { makes { name } }');
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
    const other = await startTestGateway();
    expect(await metricsOf(other.url)).not.toContain('UnmeasuredMakes');
  });

  test('METRICS_OPERATION_NAMES=off labels operations by type only', async () => {
    const gateway = await spawnTestGateway({ METRICS_OPERATION_NAMES: 'off' });
    await gql(gateway.url, 'query SecretName { makes { name } }');
    const text = await eventually(async () => {
      const body = await metricsOf(gateway.url);
      return body.includes('graphql_envelop_request{') ? body : undefined;
    });
    expect(text).not.toContain('SecretName');
    expect(text).toMatch(/graphql_envelop_request\{operationType="query"\} 1/);
  });
});

describe('usage reporting', () => {
  test('counts every valid operation a client sends, answered from the response cache or not; invalid ones not', async () => {
    const gateway = await startTestGateway({ USAGE_REPORTING: 'on', USAGE_FLUSH_INTERVAL_MS: '200' });
    const client = `telemetry-usage-${process.pid}-${Date.now().toString(36)}`;
    const cacheStatus: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await gql(
        gateway.url,
        'query UsageMakes { makes { name country } }',
        {},
        { headers: { 'graphql-client-name': client } },
      );
      expect(response.errors).toBeUndefined();
      cacheStatus.push(response.headers.get('x-cache'));
    }
    for (let i = 0; i < 2; i++)
      await gql(
        gateway.url,
        'query UsageBroken { makes { nope } }',
        {},
        { headers: { 'graphql-client-name': client } },
      );
    expect(cacheStatus).toContain('HIT');

    const sql = postgres((await getSystem()).databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const recorded = async () =>
        Number((await sql`select coalesce(sum(count), 0) as n from registry.usage where client = ${client}`)[0]!.n);
      await eventually(async () => (await recorded()) >= 5, 15_000);
      await Bun.sleep(500); // a few more flushes: nothing else may arrive
      expect(await recorded()).toBe(5);
    } finally {
      await sql.end();
    }
  });
});

describe('usage reporting of fast-path hits', () => {
  test('a persisted query answered before the runtime is still counted, once per request', async () => {
    const gateway = await startTestGateway({ USAGE_REPORTING: 'on', USAGE_FLUSH_INTERVAL_MS: '200' });
    const client = `telemetry-fast-${process.pid}-${Date.now().toString(36)}`;
    const query = `query FastUsage${Math.random().toString(36).slice(2, 8)} { makes { name } }`;
    const extensions = {
      persistedQuery: { version: 1, sha256Hash: new Bun.CryptoHasher('sha256').update(query).digest('hex') },
    };
    const headers = { 'graphql-client-name': client, 'x-graphql-csrf': '1' };
    // Registration (text and hash), until the cache answers by hash alone, then three more.
    await gql(gateway.url, query, {}, { headers: { ...headers, 'content-type': 'application/json' } });
    // gql sends the text without the hash; register the hash too, Apollo-style.
    await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query, extensions }),
    });
    const byHash = () =>
      fetch(`${gateway.url}/graphql?${new URLSearchParams({ extensions: JSON.stringify(extensions) })}`, { headers });
    let sent = 2;
    await eventually(
      async () => {
        sent++;
        return (await byHash()).headers.get('x-cache') === 'HIT';
      },
      10_000,
      50,
    );
    for (let i = 0; i < 3; i++, sent++) expect((await byHash()).headers.get('x-cache')).toBe('HIT');

    const sql = postgres((await getSystem()).databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const recorded = async () =>
        Number((await sql`select coalesce(sum(count), 0) as n from registry.usage where client = ${client}`)[0]!.n);
      await eventually(async () => (await recorded()) >= sent, 15_000);
      await Bun.sleep(500);
      expect(await recorded()).toBe(sent);
    } finally {
      await sql.end();
    }
  });
});

describe('configuration', () => {
  test('wrong telemetry settings are refused at start, each naming its variable', async () => {
    const env = await testGatewayEnv({
      METRICS: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      METRICS_OPERATION_NAMES: 'no',
    });
    const error = (() => {
      try {
        readGatewayEnv(env);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of [
      'METRICS ("sometimes")',
      'OTEL_TRACES_SAMPLER_ARG ("1.5")',
      'OTEL_EXPORTER_OTLP_ENDPOINT ("collector:4318")',
      'METRICS_OPERATION_NAMES ("no")',
    ])
      expect(message).toContain(name);
  });

  test('defaults: metrics on, tracing off, every trace sampled once an endpoint is set', async () => {
    const quiet = readGatewayEnv(await testGatewayEnv()).telemetry;
    expect(quiet.metrics).toEqual({ enabled: true, operationNames: true, token: null, served: true });
    // Production: client-chosen operation names are no labels, and /metrics is served only with a token.
    const production = { NODE_ENV: 'production', GATEWAY_HMAC_SECRET: 'x'.repeat(32) };
    expect(readGatewayEnv(await testGatewayEnv(production)).telemetry.metrics).toEqual({
      enabled: true,
      operationNames: false,
      token: null,
      served: false,
    });
    const scraped = readGatewayEnv(await testGatewayEnv({ ...production, METRICS_TOKEN: 'scrape-token-0123456789' }))
      .telemetry.metrics;
    expect(scraped).toEqual({ enabled: true, operationNames: false, token: 'scrape-token-0123456789', served: true });
    expect(quiet.tracing.tracesUrl).toBeUndefined();
    const traced = readGatewayEnv(
      await testGatewayEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }),
    ).telemetry;
    expect(traced.tracing).toEqual({ tracesUrl: 'http://collector:4318/v1/traces', sampleRatio: 1 });
    const disabled = readGatewayEnv(
      await testGatewayEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }),
    ).telemetry;
    expect(disabled.tracing.tracesUrl).toBeUndefined();
  });
});

describe('logs', () => {
  function capture(level: string) {
    const stream = new PassThrough();
    const lines: Record<string, unknown>[] = [];
    stream.on('data', (chunk: Buffer) =>
      lines.push(
        ...chunk
          .toString()
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ),
    );
    return { logger: createLogger('gateway', level, stream), lines };
  }

  test("Hive Gateway's log lines are our JSON lines, at our level", async () => {
    const { logger, lines } = capture('info');
    const hive = hiveLoggerFrom(logger).child('[Prometheus] ');
    hive.info({ subgraph: 'catalog' }, 'polled');
    hive.debug('not at info');
    hive.warn(['a', 'b'], 'as array');
    await eventually(async () => lines.length >= 2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      service: 'gateway',
      component: 'hive-gateway',
      subgraph: 'catalog',
      msg: '[Prometheus] polled',
    });
    expect(lines[1]).toMatchObject({ level: 40, attrs: ['a', 'b'], msg: '[Prometheus] as array' });
    // Outside a traced request a line has no trace ids.
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  test('pino silent or fatal turns Hive logging off or to errors only', () => {
    expect(hiveLoggerFrom(createLogger('gateway', 'silent')).level).toBe(false);
    expect(hiveLoggerFrom(createLogger('gateway', 'fatal')).level).toBe('error');
    expect(hiveLoggerFrom(createLogger('gateway', 'trace')).level).toBe('trace');
  });
});

describe('/metrics access', () => {
  test('with METRICS_TOKEN, only a scrape with that token reads the metrics; in production without one, nothing is served', async () => {
    const guarded = await startTestGateway({ METRICS_TOKEN: 'scrape-token-0123456789' });
    const scrape = (authorization?: string) =>
      fetch(`${guarded.url}/metrics`, { headers: authorization ? { authorization } : {} });
    expect((await scrape()).status).toBe(401);
    expect((await scrape('Bearer wrong-token-0123456789')).status).toBe(401);
    const allowed = await scrape('Bearer scrape-token-0123456789');
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('graphql_envelop_request');
    // The rest of the port is untouched.
    expect(
      (await fetch(`${guarded.url}/graphql?query=%7B__typename%7D`, { headers: { 'x-graphql-csrf': '1' } })).status,
    ).toBe(200);

    const production = await startTestGateway({ NODE_ENV: 'production', GATEWAY_HMAC_SECRET: 'x'.repeat(32) });
    expect((await fetch(`${production.url}/metrics`)).status).toBe(404);
  });
});
