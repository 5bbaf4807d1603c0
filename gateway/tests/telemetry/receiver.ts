/**
 * An OTLP/HTTP receiver on port 0 for the telemetry tests: accepts what our exporters send
 * (`POST /v1/traces`, OTLP JSON) and keeps every span, flattened with its service.
 */
export interface ReceivedSpan {
  service: string;
  /** Resource attributes (service.instance.id and the like). */
  resource: Record<string, unknown>;
  scope: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
}

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

const flatten = (attributes: OtlpAttribute[] = []) =>
  Object.fromEntries(
    attributes.map(({ key, value }) => [
      key,
      value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue ?? value,
    ]),
  );

export function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  /** While set, every export is answered with this status (a collector refusing spans). */
  const state = { refuseWith: 0 };
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      if (state.refuseWith) return new Response('refused by the test', { status: state.refuseWith });
      if (request.method !== 'POST' || new URL(request.url).pathname !== '/v1/traces')
        return new Response('not found', { status: 404 });
      if (!request.headers.get('content-type')?.includes('json'))
        return new Response('OTLP JSON only', { status: 415 });
      const body = (await request.json()) as { resourceSpans?: any[] };
      for (const resourceSpans of body.resourceSpans ?? []) {
        const resource = flatten(resourceSpans.resource?.attributes);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              service: String(resource['service.name']),
              resource,
              scope: scopeSpans.scope?.name ?? '',
              name: span.name,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              kind: span.kind,
              attributes: flatten(span.attributes),
              status: span.status ?? {},
            });
          }
        }
      }
      return Response.json({ partialSuccess: {} });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    spans,
    state,
    inTrace: (traceId: string) => spans.filter((span) => span.traceId === traceId),
    stop: () => server.stop(true),
  };
}

/** The chain of parents of a span within its trace, nearest first. */
export function ancestorsOf(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  for (
    let parent = span.parentSpanId && byId.get(span.parentSpanId);
    parent;
    parent = parent.parentSpanId && byId.get(parent.parentSpanId)
  )
    chain.push(parent);
  return chain;
}
