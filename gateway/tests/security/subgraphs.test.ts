import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createSchema, createYoga } from 'graphql-yoga';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { spawnService, stopChild, type Child } from '../../../kit/child-process';
import { createLogger } from '../../../kit/log';
import { signedExtensions } from '../../../subgraphs/framework/auth';
import { errorCodes, gql } from '../../../tests/support/graphql';
import { getSystem } from '../../../tests/support/system';
import { useMaskedErrors } from '../../security/use-masked-errors';
import { newUser, startTestGateway, stopTestGateways, supergraphFile } from '../harness';
import { post, startLoggedGateway } from './support';

/**
 * What crosses the gateway–subgraph boundary: only allowed headers go down, requests are signed
 * so a subgraph can refuse anyone else, and no internal message comes back up to a client.
 */

const NO_SUCH_REVIEW = '00000000-0000-4000-8000-000000000000';
const servers: { stop: (force?: boolean) => unknown }[] = [];
const children: Child[] = [];

afterAll(async () => {
  await stopTestGateways();
  for (const server of servers) server.stop(true);
  for (const child of children) await stopChild(child);
});

describe('header allow-list', () => {
  let seen: Headers[];
  let proxyUrl: string;

  beforeAll(async () => {
    const system = await getSystem();
    seen = [];
    // Stands in front of the real reviews subgraph and records what the gateway sends it.
    const proxy = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      async fetch(request) {
        seen.push(request.headers);
        return fetch(`${system.subgraphUrls.reviews}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: request.headers.get('authorization') ?? '' },
          body: await request.text(),
        });
      },
    });
    servers.push(proxy);
    proxyUrl = `http://127.0.0.1:${proxy.port}/graphql`;
  }, 120_000);

  const ask = async (gatewayUrl: string, headers: Record<string, string>) => {
    seen.length = 0;
    const response = await gql(
      gatewayUrl,
      'query ($id: ID!) { review(id: $id) { id } }',
      { id: NO_SUCH_REVIEW },
      { headers },
    );
    expect(response.errors).toBeUndefined();
    expect(seen.length).toBeGreaterThan(0);
    return seen[0]!;
  };

  test('only authorization (and the request id) reach subgraphs by default', async () => {
    const gateway = await startTestGateway({ SUPERGRAPH_FILE: await supergraphFile({ reviews: proxyUrl }) });
    const { token } = await newUser('headers');
    const headers = await ask(gateway.url, {
      authorization: `Bearer ${token}`,
      cookie: 'session=secret',
      'x-tenant': 'acme',
      'x-forwarded-for': '10.1.2.3',
      'x-request-id': 'trace-me-123',
    });
    expect(headers.get('authorization')).toBe(`Bearer ${token}`);
    expect(headers.get('x-request-id')).toBe('trace-me-123');
    expect(headers.get('cookie')).toBeNull();
    expect(headers.get('x-tenant')).toBeNull();
    expect(headers.get('x-forwarded-for')).toBeNull();
  });

  test('PROPAGATE_HEADERS adds to the list, nothing else', async () => {
    const gateway = await startTestGateway({
      SUPERGRAPH_FILE: await supergraphFile({ reviews: proxyUrl }),
      PROPAGATE_HEADERS: 'X-Tenant, accept-language',
    });
    const headers = await ask(gateway.url, { 'x-tenant': 'acme', 'accept-language': 'de', cookie: 'session=secret' });
    expect(headers.get('x-tenant')).toBe('acme');
    expect(headers.get('accept-language')).toBe('de');
    expect(headers.get('cookie')).toBeNull();
  });
});

describe('signed subgraph requests (GATEWAY_HMAC_SECRET)', () => {
  const secret = randomBytes(32).toString('base64url');
  let reviews: Child;

  beforeAll(async () => {
    const system = await getSystem();
    // A reviews subgraph of our own, started like production with the secret in its environment.
    reviews = await spawnService({
      name: 'reviews-signed',
      entry: [fileURLToPath(new URL('../../../subgraphs/run.ts', import.meta.url)), 'reviews'],
      env: {
        PORT: '0',
        DATABASE_URL: system.databaseUrl,
        JWKS_URL: `${system.subgraphUrls.users}/.well-known/jwks.json`,
        CATALOG_URL: `${system.subgraphUrls.catalog}/graphql`,
        LOG_LEVEL: 'warn',
        GATEWAY_HMAC_SECRET: secret,
      },
    });
    children.push(reviews);
  }, 120_000);

  const REVIEW = { query: 'query ($id: ID!) { review(id: $id) { id } }', variables: { id: NO_SUCH_REVIEW } };

  test('the subgraph refuses a direct unsigned request (401) and a mis-signed one (403)', async () => {
    const unsigned = await post(reviews.url, REVIEW);
    expect(unsigned.status).toBe(401);
    expect(errorCodes(await unsigned.json())).toEqual(['GATEWAY_SIGNATURE_REQUIRED']);

    const forged = await post(reviews.url, {
      ...REVIEW,
      extensions: { 'hmac-signature': randomBytes(32).toString('base64') },
    });
    expect(forged.status).toBe(403);
    expect(errorCodes(await forged.json())).toEqual(['GATEWAY_SIGNATURE_INVALID']);
  });

  test('a service holding the secret can sign its own direct calls (as the catalog client would)', async () => {
    const signed = await post(reviews.url, { ...REVIEW, extensions: await signedExtensions(secret, REVIEW) });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({ data: { review: null } });
    // The signature covers the variables: the same signature with other variables is refused.
    const replayed = await post(reviews.url, {
      ...REVIEW,
      variables: { id: '00000000-0000-4000-8000-000000000001' },
      extensions: await signedExtensions(secret, REVIEW),
    });
    expect(replayed.status).toBe(403);
  });

  test('other ways into Yoga are closed too: a trailing slash, GET', async () => {
    const slash = await fetch(`${reviews.url}/graphql/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(REVIEW),
    });
    expect(errorCodes(await slash.json())).toEqual(['GATEWAY_SIGNATURE_REQUIRED']);
    expect(slash.status).toBe(401);
    const get = await fetch(`${reviews.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'x-graphql-yoga-csrf': '1' },
    });
    expect(get.status).toBe(401);
    // Plain HTTP routes are not GraphQL and stay open.
    expect((await fetch(`${reviews.url}/healthcheck`)).status).toBe(200);
  });

  test('the gateway with the same secret is served, variables and entity calls included', async () => {
    const gateway = await startTestGateway({
      SUPERGRAPH_FILE: await supergraphFile({ reviews: `${reviews.url}/graphql` }),
      GATEWAY_HMAC_SECRET: secret,
    });
    const direct = await gql(gateway.url, REVIEW.query, REVIEW.variables);
    expect(direct.errors).toBeUndefined();
    expect(direct.data).toEqual({ review: null });
    // Model.rating comes from reviews through _entities, with the representations as variables.
    const joined = await gql(gateway.url, '{ makes { models { id rating { count } } } }');
    expect(joined.errors).toBeUndefined();
    expect(joined.data.makes.length).toBeGreaterThan(0);
  });

  test('a gateway without the secret, or with another one, is refused', async () => {
    for (const env of [{}, { GATEWAY_HMAC_SECRET: randomBytes(32).toString('base64url') }]) {
      const gateway = await startTestGateway({
        SUPERGRAPH_FILE: await supergraphFile({ reviews: `${reviews.url}/graphql` }),
        ...env,
      });
      const response = await gql(gateway.url, REVIEW.query, REVIEW.variables);
      expect(response.data?.review ?? null).toBeNull();
      expect(response.errors?.length).toBeGreaterThan(0);
    }
  });
});

describe('masked errors', () => {
  test('a subgraph error without a code reaches the client as "Unexpected error." with the request id; the log has the real message', async () => {
    const leaky = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () =>
        Response.json({
          data: { review: null },
          errors: [{ message: 'password authentication failed for user "app" at 10.0.0.5:5432', path: ['review'] }],
        }),
    });
    servers.push(leaky);
    const gateway = await startLoggedGateway({
      SUPERGRAPH_FILE: await supergraphFile({ reviews: `http://127.0.0.1:${leaky.port}/graphql` }),
    });
    try {
      const response = await gql(gateway.url, 'query ($id: ID!) { review(id: $id) { id } }', { id: NO_SUCH_REVIEW });
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      expect(response.data).toEqual({ review: null });
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.message).toBe('Unexpected error.');
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', requestId });
      expect(JSON.stringify(response.errors)).not.toContain('10.0.0.5');

      const logged = gateway.lines.find((line) => line.requestId === requestId && line.level >= 50);
      expect(logged?.subgraphMessage).toContain('password authentication failed');
    } finally {
      await gateway.stop();
    }
  });

  test('an error the subgraph masked itself also carries the request id', async () => {
    const masked = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () =>
        Response.json({
          data: { review: null },
          errors: [{ message: 'Unexpected error.', path: ['review'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        }),
    });
    servers.push(masked);
    const gateway = await startTestGateway({
      SUPERGRAPH_FILE: await supergraphFile({ reviews: `http://127.0.0.1:${masked.port}/graphql` }),
    });
    const response = await gql(
      gateway.url,
      'query ($id: ID!) { review(id: $id) { id } }',
      { id: NO_SUCH_REVIEW },
      { headers: { 'x-request-id': 'client-chosen-id' } },
    );
    expect(response.headers.get('x-request-id')).toBe('client-chosen-id');
    expect(response.errors![0]!.extensions).toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: 'client-chosen-id',
    });
  });

  test('an exception thrown in the gateway is masked, never shown in development either, and logged with the id', async () => {
    const lines: Record<string, any>[] = [];
    const masking = useMaskedErrors({
      logger: createLogger('masking-test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { broken: String }',
        resolvers: {
          Query: {
            broken: () => {
              throw new Error('ECONNREFUSED 10.0.0.7:6379');
            },
          },
        },
      }),
      maskedErrors: masking.maskedErrors,
      plugins: [masking.plugin],
      logging: false,
    });
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development'; // Yoga would attach the original error here
    try {
      const response = await yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-42' },
        body: JSON.stringify({ query: '{ broken }' }),
      });
      const body = await response.json();
      expect(body.errors[0].message).toBe('Unexpected error.');
      expect(body.errors[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' });
      expect(JSON.stringify(body)).not.toContain('ECONNREFUSED');
      expect(lines.find((line) => line.requestId === 'req-42')?.err?.message).toBe('ECONNREFUSED 10.0.0.7:6379');
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});
