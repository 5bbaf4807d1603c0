import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { spawnService, stopChild, type Child } from '../../../kit/child-process';
import { eventually, gql, readCounter } from '../../../tests/support/graphql';
import { getSystem } from '../../../tests/support/system';
import { spawnTestGateway, stopTestGateways, supergraphFile, type TestGateway } from '../harness';
import { ancestorsOf, SPAN_KIND, startOtlpReceiver, type ReceivedSpan } from './receiver';

/**
 * Traces across processes: a catalog subgraph and gateways of our own, started as processes with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at a receiver in this test (the shared system's processes
 * run without it). Nothing here registers OpenTelemetry in the test process itself.
 */
const receiver = startOtlpReceiver();
const otelEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
const catalogLines: string[] = [];
let catalog: Child;
let gateway: TestGateway;
let supergraph: string;

beforeAll(async () => {
  const system = await getSystem();
  catalog = await spawnService({
    name: 'catalog',
    entry: [fileURLToPath(new URL('../../../subgraphs/run.ts', import.meta.url)), 'catalog'],
    env: {
      DATABASE_URL: system.databaseUrl,
      PORT: '0',
      JWKS_URL: `${system.subgraphUrls.users}/.well-known/jwks.json`,
      LOG_LEVEL: 'debug',
      ...otelEnv,
    },
    output: (_name, line) => catalogLines.push(line),
  });
  supergraph = await supergraphFile({ catalog: `${catalog.url}/graphql` });
  gateway = await spawnTestGateway({ SUPERGRAPH_FILE: supergraph, ...otelEnv });
}, 90_000);

afterAll(async () => {
  await stopTestGateways();
  if (catalog) await stopChild(catalog);
  receiver.stop();
});

const byName = (spans: ReceivedSpan[], service: string, name: string) =>
  spans.find((span) => span.service === service && span.name === name);
const sqlSpans = (spans: ReceivedSpan[]) =>
  spans.filter((span) => span.service === 'autograph-catalog' && span.attributes['db.system.name'] === 'postgresql');
const catalogServerSpan = (spans: ReceivedSpan[]) =>
  spans.find((span) => span.service === 'autograph-catalog' && span.kind === SPAN_KIND.SERVER);

/** Waits until a trace holds the gateway's and the catalog's server spans and the catalog's SQL. */
async function completeTrace(find: () => ReceivedSpan | undefined): Promise<ReceivedSpan[]> {
  return eventually(async () => {
    const root = find();
    const spans = root ? receiver.inTrace(root.traceId) : [];
    const gatewayServer = spans.some((span) => span.service === 'autograph-gateway' && span.kind === SPAN_KIND.SERVER);
    return gatewayServer && catalogServerSpan(spans) && sqlSpans(spans).length > 0 ? spans : undefined;
  }, 20_000);
}

describe('traces', () => {
  test('one request is one trace: gateway → subgraph → SQL, each span parented to the one that caused it', async () => {
    const response = await gql(gateway.url, 'query TracedMakes { makes { name models { name } } }');
    expect(response.errors).toBeUndefined();
    const trace = await completeTrace(() =>
      byName(receiver.spans, 'autograph-gateway', 'graphql.operation TracedMakes'),
    );

    // The whole tree is there: exactly one root (the gateway's HTTP span), every other parent present.
    const ids = new Set(trace.map((span) => span.spanId));
    const roots = trace.filter((span) => !span.parentSpanId);
    expect(roots.map((span) => [span.service, span.kind])).toEqual([['autograph-gateway', SPAN_KIND.SERVER]]);
    expect(trace.filter((span) => span.parentSpanId && !ids.has(span.parentSpanId))).toEqual([]);

    // The subgraph's server span continues the gateway's outgoing fetch (W3C traceparent).
    const server = catalogServerSpan(trace)!;
    const path = ancestorsOf(server, trace).map((span) => `${span.service}: ${span.name}`);
    expect(path).toEqual([
      'autograph-gateway: http.fetch',
      'autograph-gateway: subgraph.execute (catalog)',
      'autograph-gateway: graphql.execute',
      'autograph-gateway: graphql.operation TracedMakes',
      `autograph-gateway: ${roots[0]!.name}`,
    ]);
    expect(server.attributes['graphql.operation.type']).toBe('query');

    // SQL runs under the subgraph's request, with the statement (placeholders only) on the span.
    for (const sql of sqlSpans(trace)) {
      expect(sql.kind).toBe(SPAN_KIND.CLIENT);
      expect(ancestorsOf(sql, trace)[0]).toBe(server);
      expect(String(sql.attributes['db.query.text'])).toMatch(/^select .*"catalog"\./i);
    }
  });

  test("continues a client's traceparent; with a sampling ratio of 0, requests without one leave no trace anywhere", async () => {
    const instance = `ratio-zero-${process.pid}`;
    const unsampled = await spawnTestGateway({
      SUPERGRAPH_FILE: supergraph,
      ...otelEnv,
      OTEL_TRACES_SAMPLER_ARG: '0',
      OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${instance}`,
    });
    expect((await gql(unsampled.url, 'query NotSampled { makes { name } }')).errors).toBeUndefined();

    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const sampled = await gql(
      unsampled.url,
      'query ClientSampled { makes { name } }',
      {},
      { headers: { traceparent: `00-${traceId}-${clientSpanId}-01` } },
    );
    expect(sampled.errors).toBeUndefined();

    const trace = await completeTrace(() => receiver.spans.find((span) => span.traceId === traceId));
    const root = trace.find(
      (span) =>
        span.service === 'autograph-gateway' &&
        span.kind === SPAN_KIND.SERVER &&
        span.resource['service.instance.id'] === instance,
    )!;
    expect(root.parentSpanId).toBe(clientSpanId);
    expect(byName(trace, 'autograph-gateway', 'graphql.operation ClientSampled')).toBeDefined();

    // Batches leave in order, so NotSampled's spans, had there been any, are in by now.
    expect(
      receiver.spans.filter((span) => span.resource['service.instance.id'] === instance && span.traceId !== traceId),
    ).toEqual([]);
    // The subgraph followed the gateway's "not sampled" (parent-based): no trace of its own.
    const gatewayTraces = new Set(
      receiver.spans.filter((span) => span.service === 'autograph-gateway').map((span) => span.traceId),
    );
    expect(
      receiver.spans.filter((span) => span.service === 'autograph-catalog' && !gatewayTraces.has(span.traceId)),
    ).toEqual([]);
  });

  test('log lines written inside a traced request carry its trace and span ids', async () => {
    await gql(gateway.url, 'query LoggedMakes { makes { name } }');
    const trace = await completeTrace(() =>
      byName(receiver.spans, 'autograph-gateway', 'graphql.operation LoggedMakes'),
    );
    const server = catalogServerSpan(trace)!;
    const lines = catalogLines.flatMap((line) =>
      line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [],
    );
    const inRequest = lines.filter((line) => line.trace_id === server.traceId);
    expect(inRequest.length).toBeGreaterThan(0);
    expect(inRequest.every((line) => line.span_id === server.spanId && line.service === 'catalog')).toBe(true);
    // Lines outside any request (start-up) have no ids.
    expect(lines.find((line) => String(line.msg).includes('listening'))).not.toHaveProperty('trace_id');
  });

  test('the subgraph serves operation, SQL and process metrics on /metrics', async () => {
    await gql(gateway.url, 'query CountedMakes { makes { name } }');
    const metrics = `${catalog.url}/metrics`;
    await eventually(
      async () => (await readCounter(metrics, 'autograph_subgraph_operations_total', { operationType: 'query' })) > 0,
    );
    expect(await readCounter(metrics, 'autograph_subgraph_operation_duration_seconds_count')).toBeGreaterThan(0);
    expect(await readCounter(metrics, 'autograph_sql_statements_total', { service: 'catalog' })).toBeGreaterThan(0);
    const text = await (await fetch(metrics)).text();
    for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes'])
      expect(text).toContain(`\n${name} `);
  });

  test('METRICS=off: a subgraph keeps process and SQL metrics but records no operations', async () => {
    const system = await getSystem();
    const quiet = await spawnService({
      name: 'catalog-unmeasured',
      entry: [fileURLToPath(new URL('../../../subgraphs/run.ts', import.meta.url)), 'catalog'],
      env: {
        DATABASE_URL: system.databaseUrl,
        PORT: '0',
        JWKS_URL: `${system.subgraphUrls.users}/.well-known/jwks.json`,
        LOG_LEVEL: 'warn',
        METRICS: 'off',
      },
    });
    try {
      expect((await gql(quiet.url, '{ makes { name } }')).errors).toBeUndefined();
      const text = await (await fetch(`${quiet.url}/metrics`)).text();
      expect(text).not.toContain('autograph_subgraph_operations_total');
      expect(text).toContain('\nprocess_resident_memory_bytes ');
      expect(
        await readCounter(`${quiet.url}/metrics`, 'autograph_sql_statements_total', { service: 'catalog' }),
      ).toBeGreaterThan(0);
    } finally {
      await stopChild(quiet);
    }
  });
});
