import { describe, expect, test } from 'bun:test';
import { createSchema, createYoga } from 'graphql-yoga';
import { useRequestBodyLimit } from '../body-limit';

const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { echo(text: String!): String! }',
    resolvers: { Query: { echo: (_: unknown, a: { text: string }) => a.text } },
  }),
  maxRequestBodySize: false,
  plugins: [useRequestBodyLimit(200)],
});

const body = (text: string) =>
  JSON.stringify({ query: 'query($t: String!) { echo(text: $t) }', variables: { t: text } });
const post = (payload: BodyInit, headers: Record<string, string> = {}) =>
  yoga.fetch('http://subgraph/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
    duplex: 'half',
  } as RequestInit);
const streamed = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += 50) controller.enqueue(bytes.slice(i, i + 50));
      controller.close();
    },
  });
const codeOf = async (response: Response) => ((await response.json()) as any).errors?.[0]?.extensions?.code;

describe('useRequestBodyLimit', () => {
  test('a body within the limit is served, declared or streamed', async () => {
    const small = body('hello');
    expect(await (await post(small, { 'content-length': String(small.length) })).json()).toEqual({
      data: { echo: 'hello' },
    });
    expect(await (await post(streamed(small))).json()).toEqual({ data: { echo: 'hello' } });
  });

  test('a declared length above the limit is refused before the body is read', async () => {
    const response = await post(body('x'.repeat(300)), { 'content-length': '400' });
    expect(response.status).toBe(413);
    expect(await codeOf(response)).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  test('a streamed body is cut off once it passes the limit', async () => {
    const response = await post(streamed(body('x'.repeat(300))));
    expect(response.status).toBe(413);
    expect(await codeOf(response)).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  test('a Content-Length that is not one number is refused', async () => {
    const response = await post(body('hi'), { 'content-length': '10, 10' });
    expect(response.status).toBe(400);
    expect(await codeOf(response)).toBe('BAD_REQUEST');
  });
});
