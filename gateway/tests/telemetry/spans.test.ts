import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { connectDatabase } from '../../../kit/db';
import { createLogger } from '../../../kit/log';
import { flushTracing, startTracing, stopTracing, traceRequest, tracingActive } from '../../../kit/telemetry';
import { ancestorsOf, SPAN_KIND, startOtlpReceiver } from './receiver';

/**
 * The shared telemetry kit in this process: kit/telemetry's provider exporting to a receiver here,
 * kit/db's SQL spans on the real PostgreSQL, kit/log's trace ids. A subgraph request is what
 * `traceRequest` wraps. OpenTelemetry's globals are unregistered afterwards, so the files that
 * run after this one in the same process see no tracing.
 */
const receiver = startOtlpReceiver();
const database = connectDatabase(
  {
    url: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    service: 'spans-test',
    max: 2,
  },
  {},
);
const lines: Record<string, unknown>[] = [];
const stream = new PassThrough();
stream.on('data', (chunk: Buffer) =>
  lines.push(
    ...chunk
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
  ),
);
const logger = createLogger('spans-test', 'info', stream);

beforeAll(() => {
  expect(startTracing('spans-test', { tracesUrl: `${receiver.url}/v1/traces`, sampleRatio: 1 }, logger)).toBe(true);
});

afterAll(async () => {
  await stopTracing();
  await database.close();
  receiver.stop();
});

/** A request as a subgraph receives it from the gateway: with a sampled W3C traceparent. */
function incoming() {
  const traceId = randomBytes(16).toString('hex');
  const parentSpanId = randomBytes(8).toString('hex');
  return {
    traceId,
    parentSpanId,
    request: new Request('http://subgraph/graphql', {
      method: 'POST',
      headers: { traceparent: `00-${traceId}-${parentSpanId}-01` },
    }),
  };
}

describe('spans from the shared kit', () => {
  test('a request continues its traceparent; its SQL, transactions and savepoints nest under it; failures are marked', async () => {
    const { traceId, parentSpanId, request } = incoming();
    const response = await traceRequest(request, async () => {
      await database.db.execute(sql`select ${'secret-4711'}::text as value`);
      await database.db.transaction(async (tx) => {
        await tx.execute(sql`select 2`);
        await tx.transaction(async (inner) => {
          await inner.execute(sql`select 3`);
        });
      });
      await database.db.execute(sql`select missing_column`).catch(() => {});
      return new Response('ok');
    });
    expect(response.status).toBe(200);
    await flushTracing();

    const trace = receiver.inTrace(traceId);
    const server = trace.find((span) => span.kind === SPAN_KIND.SERVER)!;
    expect(server).toMatchObject({ service: 'autograph-spans-test', name: 'POST /graphql', parentSpanId });
    expect(server.attributes['http.response.status_code']).toBe(200);

    const statement = (text: string) => trace.find((span) => span.attributes['db.query.text'] === text)!;
    const path = (text: string) => ancestorsOf(statement(text), trace).map((span) => span.name);
    expect(path('select $1::text as value')).toEqual(['POST /graphql']);
    expect(path('select 2')).toEqual(['transaction', 'POST /graphql']);
    expect(path('select 3')).toEqual(['savepoint', 'transaction', 'POST /graphql']);
    expect(statement('select 2')).toMatchObject({
      name: 'SELECT',
      kind: SPAN_KIND.CLIENT,
      attributes: { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' },
    });
    // Values never reach a span: the statement keeps its placeholder.
    expect(JSON.stringify(trace)).not.toContain('secret-4711');
    const failed = statement('select missing_column');
    expect(failed.status).toMatchObject({ code: 2, message: expect.stringContaining('missing_column') });
  });

  test('statements outside a traced request (probes, migrations, jobs) make no spans', async () => {
    const before = receiver.spans.length;
    await database.db.execute(sql`select 'outside' as probe`);
    await flushTracing();
    expect(receiver.spans.slice(before)).toEqual([]);
  });

  test('log lines inside a request carry its trace and span ids; lines outside carry none', async () => {
    const { traceId, request } = incoming();
    logger.info('before');
    await traceRequest(request, () => {
      logger.info('inside');
      return new Response('ok');
    });
    await flushTracing();
    const server = receiver.inTrace(traceId).find((span) => span.kind === SPAN_KIND.SERVER)!;
    const inside = lines.find((line) => line.msg === 'inside');
    expect(inside).toMatchObject({ trace_id: traceId, span_id: server.spanId, service: 'spans-test' });
    expect(lines.find((line) => line.msg === 'before')).not.toHaveProperty('trace_id');
  });

  test('one provider per process: a second traced service shares it; a service without an endpoint is untraced', async () => {
    expect(startTracing('another', { tracesUrl: `${receiver.url}/v1/traces`, sampleRatio: 1 })).toBe(true);
    expect(startTracing('untraced', { sampleRatio: 1 })).toBe(false);
    expect(tracingActive()).toBe(true);
  });

  test('spans the collector refuses are reported in the logs, not lost silently', async () => {
    receiver.state.refuseWith = 400;
    try {
      await traceRequest(incoming().request, () => new Response('ok'));
      await flushTracing();
    } finally {
      receiver.state.refuseWith = 0;
    }
    expect(lines.find((line) => line.component === 'opentelemetry')).toMatchObject({
      level: 40,
      service: 'spans-test',
    });
  });
});
