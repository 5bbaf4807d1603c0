import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ConfigError } from '../../../kit/config';
import { errorCodes, gql } from '../../../tests/support/graphql';
import { readGatewayEnv } from '../../config';
import { type TestGateway, configIssues, startTestGateway, stopTestGateways, testGatewayEnv } from '../harness';
import { gatewayCounter } from '../metrics';
import { post } from './support';

/** What a production gateway must be given (it refuses to start without a signing secret). */
const PRODUCTION = { NODE_ENV: 'production', GATEWAY_HMAC_SECRET: 'a-test-secret-of-at-least-32-characters' } as const;

/**
 * Request limits and HTTP hygiene, each with the malicious request it exists for: deep nesting,
 * alias bombs, token and directive floods, oversized bodies and batches, introspection and
 * field suggestions in production, CSRF through simple requests, CORS per configuration.
 */

let gateway: TestGateway;
let production: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
  production = await startTestGateway({ ...PRODUCTION });
}, 120_000);

afterAll(stopTestGateways);

/**
 * An operation exactly `levels` fields deep: offer → seller → offers → edges → node → seller …
 * It asks for an offer that does not exist, so however deep it is, it costs the subgraphs nothing.
 */
function nested(levels: number): string {
  const hops = [
    ['seller', 'id'],
    ['offers(first: 1)', 'totalCount'],
    ['edges', 'cursor'],
    ['node', 'id'],
  ] as const;
  const fields: string[] = ['offer(id: "00000000-0000-4000-8000-000000000000")'];
  let leaf = 'id';
  for (let i = 0; fields.length < levels - 1; i++) {
    const [field, fieldLeaf] = hops[i % hops.length]!;
    fields.push(field);
    leaf = fieldLeaf;
  }
  return `{ ${fields.map((field) => `${field} { `).join('')}${leaf}${' }'.repeat(fields.length)} }`;
}

describe('query limits', () => {
  test('depth: 12 levels pass, 13 are refused with QUERY_TOO_DEEP before any subgraph is asked', async () => {
    expect((await gql(gateway.url, nested(12))).errors).toBeUndefined();
    const rejections = await gatewayCounter(gateway, 'autograph_gateway_query_limit_rejections_total', {
      code: 'QUERY_TOO_DEEP',
    });
    const deep = await gql(gateway.url, nested(13));
    expect(deep.status).toBe(400);
    expect(errorCodes(deep)).toEqual(['QUERY_TOO_DEEP']);
    expect(deep.data).toBeUndefined();
    expect(
      await gatewayCounter(gateway, 'autograph_gateway_query_limit_rejections_total', { code: 'QUERY_TOO_DEEP' }),
    ).toBe(rejections + 1);
  });

  test('aliases: an alias bomb is refused with TOO_MANY_ALIASES', async () => {
    const bomb = await gql(
      gateway.url,
      `{ ${Array.from({ length: 100 }, (_, i) => `m${i}: makes { name }`).join(' ')} }`,
    );
    expect(bomb.status).toBe(400);
    expect(errorCodes(bomb)).toEqual(['TOO_MANY_ALIASES']);
  });

  test('tokens: a token flood is refused while parsing with TOO_MANY_TOKENS', async () => {
    const flood = await gql(gateway.url, `{ makes { ${'name '.repeat(3_000)} } }`);
    expect(flood.status).toBe(400);
    expect(errorCodes(flood)).toEqual(['TOO_MANY_TOKENS']);
  });

  test('directives: a directive flood is refused with TOO_MANY_DIRECTIVES', async () => {
    const flood = await gql(gateway.url, `{ makes { name ${'@include(if: true) '.repeat(60)} } }`);
    expect(flood.status).toBe(400);
    expect(errorCodes(flood)).toContain('TOO_MANY_DIRECTIVES');
  });

  test('each limit can be switched off (0)', async () => {
    const unlimited = await startTestGateway({ MAX_DEPTH: '0', MAX_ALIASES: '0' });
    expect((await gql(unlimited.url, nested(13))).errors).toBeUndefined();
    expect(
      (await gql(unlimited.url, `{ ${Array.from({ length: 40 }, (_, i) => `m${i}: makes { name }`).join(' ')} }`))
        .errors,
    ).toBeUndefined();
  });
});

describe('request size', () => {
  test('a body above MAX_REQUEST_BODY_BYTES is refused with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await post(gateway.url, {
      query: '{ makes { name } }',
      variables: { padding: 'x'.repeat(200 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(errorCodes(await response.json())).toEqual(['PAYLOAD_TOO_LARGE']);
  });

  test('a streamed body without Content-Length is cut off at the limit too', async () => {
    const chunk = new TextEncoder().encode(
      `{"query":"{ makes { name } }","variables":{"padding":"${'x'.repeat(64 * 1024)}`,
    );
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 4) controller.enqueue(sent === 1 ? chunk : new TextEncoder().encode('x'.repeat(64 * 1024)));
        else {
          controller.enqueue(new TextEncoder().encode('"}}'));
          controller.close();
        }
      },
    });
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(errorCodes(await response.json())).toEqual(['PAYLOAD_TOO_LARGE']);
  });

  test('batches: up to MAX_BATCH_SIZE operations are served, one more is refused with 413', async () => {
    const operations = (n: number) => Array.from({ length: n }, () => ({ query: '{ makes { name } }' }));
    const ten = await post(gateway.url, operations(10));
    expect(ten.status).toBe(200);
    const results = (await ten.json()) as { data: unknown }[];
    expect(results).toHaveLength(10);
    expect(results.every((result) => result.data)).toBe(true);

    const eleven = await post(gateway.url, operations(11));
    expect(eleven.status).toBe(413);
    expect(errorCodes(await eleven.json())).toEqual(['BAD_REQUEST']);
  });

  test('MAX_BATCH_SIZE=0 refuses batching altogether', async () => {
    const noBatches = await startTestGateway({ MAX_BATCH_SIZE: '0' });
    const response = await post(noBatches.url, [{ query: '{ __typename }' }]);
    expect(response.status).toBe(400);
  });
});

describe('schema exposure', () => {
  const INTROSPECTION = '{ __schema { queryType { name } } }';

  test('introspection: on in development, off in production, and can be forced either way', async () => {
    expect((await gql(gateway.url, INTROSPECTION)).data.__schema.queryType.name).toBe('Query');
    const refused = await gql(production.url, INTROSPECTION);
    expect(refused.status).toBe(400);
    expect(refused.errors![0]!.message).toContain('introspection');
    expect((await gql(production.url, '{ __typename }')).data.__typename).toBe('Query');

    const allowed = await startTestGateway({ ...PRODUCTION, INTROSPECTION: 'on' });
    expect((await gql(allowed.url, INTROSPECTION)).errors).toBeUndefined();
  });

  test('field suggestions: shown in development, hidden in production', async () => {
    expect((await gql(gateway.url, '{ makez { name } }')).errors![0]!.message).toContain('Did you mean');
    const hidden = await gql(production.url, '{ makez { name } }');
    expect(hidden.status).toBe(400);
    expect(hidden.errors![0]!.message).not.toContain('Did you mean');
    expect(hidden.errors![0]!.message).not.toContain('makes');
  });
});

describe('CSRF prevention', () => {
  const getQuery = (url: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/graphql?query=${encodeURIComponent('{ makes { name } }')}`, {
      headers: { accept: 'application/json', ...headers },
    });

  test('a GET without a preflight-forcing header is refused; with one it is served', async () => {
    const bare = await getQuery(gateway.url);
    expect(bare.status).toBe(403);
    expect(errorCodes(await bare.json())).toEqual(['FORBIDDEN']);
    const withHeader = await getQuery(gateway.url, { 'x-graphql-csrf': '1' });
    expect(withHeader.status).toBe(200);
    expect((await withHeader.json()).data.makes.length).toBeGreaterThan(0);
    const apollo = await getQuery(gateway.url, { 'apollo-require-preflight': 'true' });
    expect(apollo.status).toBe(200);
  });

  test('a form post (a "simple" request a foreign page can send) is refused', async () => {
    const form = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: `query=${encodeURIComponent('{ makes { name } }')}`,
    });
    expect(form.status).toBe(403);
  });

  test('CSRF_PREVENTION=off serves the bare GET', async () => {
    const open = await startTestGateway({ CSRF_PREVENTION: 'off' });
    expect((await getQuery(open.url)).status).toBe(200);
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });

  test('production without CORS_ORIGINS: no cross-origin access', async () => {
    const response = await preflight(production.url, 'https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('development without CORS_ORIGINS: any origin, never with credentials', async () => {
    const response = await preflight(gateway.url, 'http://localhost:5173');
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  test('CORS_ORIGINS: listed origins are allowed, others are not', async () => {
    const listed = await startTestGateway({
      ...PRODUCTION,
      CORS_ORIGINS: 'https://app.example.com,https://admin.example.com',
    });
    const app = await preflight(listed.url, 'https://app.example.com');
    expect(app.status).toBe(204);
    expect(app.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(app.headers.get('access-control-allow-methods')).toBe('GET, POST');
    const evil = await preflight(listed.url, 'https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');

    const simple = await fetch(`${listed.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://admin.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(simple.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(simple.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });
});

describe('configuration', () => {
  test('a wrong value stops the gateway with a message naming the variable', async () => {
    const base = await testGatewayEnv();
    const problems = (env: Record<string, string>) => {
      try {
        readGatewayEnv({ ...base, ...env });
        return '';
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).message;
      }
    };
    expect(problems({ MAX_DEPTH: '-1' })).toContain('MAX_DEPTH');
    expect(problems({ TRUSTED_DOCUMENTS: 'sometimes' })).toContain('TRUSTED_DOCUMENTS');
    expect(problems({ CORS_ORIGINS: 'ftp://files.example' })).toContain('CORS_ORIGINS');
    expect(problems({ PROPAGATE_HEADERS: 'x-tenant,host' })).toContain('PROPAGATE_HEADERS');
    expect(problems({ GATEWAY_HMAC_SECRET: 'short' })).toContain('GATEWAY_HMAC_SECRET');
    expect(problems({ INTROSPECTION: 'yes' })).toContain('INTROSPECTION');
    expect(problems({ JWT_VERIFICATION: 'off' })).toContain('AUTHORIZATION_DIRECTIVES (');
    expect(problems({ MAX_DEPTH: '8', CORS_ORIGINS: 'https://app.example.com', PROPAGATE_HEADERS: 'x-tenant' })).toBe(
      '',
    );
  });
});

describe('secure by default', () => {
  const problems = configIssues;

  test('a production gateway refuses to start without a signing secret or a registry token, naming them', () => {
    const issues = problems({ NODE_ENV: 'production' }).join('\n');
    expect(issues).toMatch(/GATEWAY_HMAC_SECRET.*required/);
    expect(issues).toMatch(/REGISTRY_TOKEN.*required/);
    expect(
      problems({ NODE_ENV: 'production', GATEWAY_HMAC_SECRET: 'x'.repeat(32), SUPERGRAPH_FILE: '/tmp/s.graphql' }),
    ).toEqual([]);
    expect(problems({})).toEqual([]); // development: defaults work with `bun start`
  });

  test('every answer says nosniff; an answer to a request with credentials is never stored by a cache', async () => {
    const anonymous = await fetch(`${production.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ makes { id } }' }),
    });
    expect(anonymous.headers.get('x-content-type-options')).toBe('nosniff');
    expect(anonymous.headers.get('cache-control')).not.toBe('no-store');
    const withToken = await fetch(`${production.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
      body: JSON.stringify({ query: '{ makes { id } }' }),
    });
    expect(withToken.status).toBeGreaterThanOrEqual(400); // refused: the headers hold for refusals too
    expect(withToken.headers.get('cache-control')).toBe('no-store');
    expect(withToken.headers.get('strict-transport-security')).toBeNull();
  });

  test("a client's request id is kept when it is a plain id, replaced when it is long or carries other characters", async () => {
    const ask = (id: string) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': id },
        body: '{"query":"{ __typename }"}',
      });
    expect((await ask('trace-42:abc.DEF_1')).headers.get('x-request-id')).toBe('trace-42:abc.DEF_1');
    for (const hostile of ['x'.repeat(5_000), 'a b', '{"injected":true}']) {
      const echoed = (await ask(hostile)).headers.get('x-request-id');
      expect(echoed).not.toBe(hostile);
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
