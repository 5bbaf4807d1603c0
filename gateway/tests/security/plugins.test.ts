import { afterEach, describe, expect, test } from 'bun:test';
import { createInlineSigningKeyProvider, useJWT, type GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { security } from '../../security';
import { useFieldAuthorization } from '../../security/authorization';
import { MAX_COUNTED_ERROR_CODES, NO_CODE, OTHER_CODES, useErrorCodes } from '../../security/use-error-codes';
import {
  captureLogger,
  codesOf,
  createInMemoryGateway,
  metricValue,
  readAnswer,
  testDeps,
  testOptions,
  type InMemoryGateway,
} from '../in-memory';

/**
 * The security concern's plugins on an in-memory gateway, built by its index from environment
 * variables (JWT verification on: no test sends a token to it, so its key set is never fetched).
 * Signed-in callers are tested on the authorization plugins with Hive's JWT plugin verifying
 * tokens against a key of this process.
 */

const gateways: InMemoryGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.dispose()));
});

function securedGateway(env: Record<string, string> = {}, plugins: GatewayPlugin[] = []) {
  const { logger, lines } = captureLogger();
  const deps = testDeps({ logger });
  const gateway = createInMemoryGateway({ parts: [security(testOptions(env).security, deps)], plugins: () => plugins });
  gateways.push(gateway);
  return {
    gateway,
    metrics: deps.metrics,
    lines,
    products: gateway.subgraph('products'),
    reviews: gateway.subgraph('reviews'),
  };
}

const post = (body: BodyInit, headers: Record<string, string> = {}): RequestInit =>
  ({
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...headers,
    },
    body,
    duplex: 'half',
  }) as RequestInit;

describe('useQueryLimits', () => {
  const limitRejections = 'autograph_gateway_query_limit_rejections_total';

  test.each([
    [
      'QUERY_TOO_DEEP',
      { MAX_DEPTH: '2' },
      '{ product(id: "1") { reviews { body } } }',
      '{ product(id: "1") { name } }',
    ],
    [
      'TOO_MANY_ALIASES',
      { MAX_ALIASES: '2' },
      '{ a: topReview { body } b: topReview { body } c: topReview { body } }',
      '{ a: topReview { body } b: topReview { body } }',
    ],
    [
      'TOO_MANY_TOKENS',
      { MAX_TOKENS: '12' },
      '{ product(id: "1") { name price } topReview { body } }',
      '{ topReview { body } }',
    ],
    [
      'TOO_MANY_DIRECTIVES',
      { MAX_DIRECTIVES: '1' },
      '{ topReview @include(if: true) { body @skip(if: false) } }',
      '{ topReview @include(if: true) { body } }',
    ],
  ])(
    '%s: 400 with the code, before any subgraph call; within the limit the query runs',
    async (code, env, refusedQuery, allowedQuery) => {
      const { gateway, metrics, products, reviews } = securedGateway(env);
      const refused = await gateway.graphql(refusedQuery);
      expect(refused.status).toBe(400);
      expect(refused.data).toBeUndefined();
      expect(codesOf(refused)).toContain(code);
      expect(refused.errors!.every((error) => !error.message.startsWith('Syntax Error'))).toBe(true);
      expect(products.calls.length + reviews.calls.length).toBe(0);
      expect(await metricValue(metrics, limitRejections, { code })).toBe(1);

      const allowed = await gateway.graphql(allowedQuery);
      expect(allowed.status).toBe(200);
      expect(allowed.errors).toBeUndefined();
    },
  );
});

describe('useMaxRequestBody', () => {
  const query = '{ topReview { body } }';
  const big = JSON.stringify({ query, variables: { padding: 'x'.repeat(2_000) } });

  test('a declared Content-Length above MAX_REQUEST_BODY_BYTES is refused with 413 PAYLOAD_TOO_LARGE', async () => {
    const { gateway, reviews } = securedGateway({ MAX_REQUEST_BODY_BYTES: '1024' });
    const refused = await readAnswer(
      await gateway.fetch('/graphql', post(big, { 'content-length': String(big.length) })),
    );
    expect(refused.status).toBe(413);
    expect(codesOf(refused)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(reviews.calls).toHaveLength(0);
  });

  test('a streamed body without Content-Length is cut off once it passes the limit', async () => {
    const { gateway, reviews } = securedGateway({ MAX_REQUEST_BODY_BYTES: '1024' });
    const stream = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(text);
          for (let offset = 0; offset < bytes.length; offset += 256)
            controller.enqueue(bytes.slice(offset, offset + 256));
          controller.close();
        },
      });
    const refused = await readAnswer(await gateway.fetch('/graphql', post(stream(big))));
    expect(refused.status).toBe(413);
    expect(codesOf(refused)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(reviews.calls).toHaveLength(0);

    const small = await readAnswer(await gateway.fetch('/graphql', post(stream(JSON.stringify({ query })))));
    expect(small.status).toBe(200);
    expect(small.data).toEqual({ topReview: { body: 'Boils fast' } });
  });
});

describe('useMaskedErrors', () => {
  test('an unexpected error in the gateway: "Unexpected error.", INTERNAL_SERVER_ERROR with the requestId, HTTP 500 without data; the original is logged', async () => {
    const broken: GatewayPlugin = {
      onExecute() {
        throw new Error('pool exhausted: postgres://admin:hunter2@db.internal/catalog');
      },
    };
    const { gateway, lines } = securedGateway({}, [broken]);
    const answer = await gateway.graphql('{ product(id: "1") { name } }');
    expect(answer.status).toBe(500);
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors).toHaveLength(1);
    const [error] = answer.errors!;
    expect(error!.message).toBe('Unexpected error.');
    expect(error!.extensions!.code).toBe('INTERNAL_SERVER_ERROR');
    const requestId = answer.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    expect(error!.extensions!.requestId).toBe(requestId);
    expect(answer.text).not.toContain('hunter2');
    expect(answer.text).not.toContain('unexpected');
    const logged = lines.find((line) => line.msg === 'unexpected error, masked for the client');
    expect(logged?.requestId).toBe(requestId);
    expect(JSON.stringify(logged?.err)).toContain('hunter2');
  });

  test('a subgraph error without a code is masked with the requestId and its subgraph; coded ones pass; the data stays (HTTP 200)', async () => {
    const { gateway, lines } = securedGateway();
    const answer = await gateway.graphql('{ uncoded coded product(id: "1") { name } }');
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ uncoded: null, coded: null, product: { name: 'Kettle' } });
    const requestId = answer.headers.get('x-request-id');
    expect(answer.errors).toEqual([
      {
        message: 'Unexpected error.',
        path: ['uncoded'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'products', requestId: requestId! },
      },
      { message: 'No such offer', path: ['coded'], extensions: { code: 'NOT_FOUND', serviceName: 'products' } },
    ]);
    expect(answer.text).not.toContain('db-host-17');
    const logged = lines.find((line) => line.msg === 'subgraph error without a code, masked for the client');
    expect(logged).toMatchObject({
      requestId,
      serviceName: 'products',
      subgraphMessage: 'connection to db-host-17.internal:5432 refused',
    });
  });

  test('a client-sent x-request-id is the one errors carry', async () => {
    const { gateway } = securedGateway();
    const answer = await gateway.graphql('{ uncoded }', { headers: { 'x-request-id': 'client-chosen-id-1' } });
    expect(answer.headers.get('x-request-id')).toBe('client-chosen-id-1');
    expect(answer.errors![0]!.extensions!.requestId).toBe('client-chosen-id-1');
  });
});

describe('headers sent to subgraphs', () => {
  test('only `authorization` and the PROPAGATE_HEADERS allow-list reach subgraphs', async () => {
    const { gateway, products } = securedGateway({
      JWT_VERIFICATION: 'off',
      AUTHORIZATION_DIRECTIVES: 'off',
      PROPAGATE_HEADERS: 'x-tenant',
    });
    await gateway.graphql('{ product(id: "1") { name } }', {
      headers: { authorization: 'Bearer opaque', 'x-tenant': 'acme', 'x-internal-role': 'admin', cookie: 'session=1' },
    });
    const [call] = products.calls;
    expect(call!.headers.get('authorization')).toBe('Bearer opaque');
    expect(call!.headers.get('x-tenant')).toBe('acme');
    expect(call!.headers.get('x-internal-role')).toBeNull();
    expect(call!.headers.get('cookie')).toBeNull();
  });
});

describe('useErrorCodes', () => {
  test('an error that only carries an HTTP status gets the code of that status (a malformed token: 400 BAD_REQUEST)', async () => {
    const { gateway, products } = securedGateway();
    const answer = await gateway.graphql('{ product(id: "1") { name } }', {
      headers: { authorization: 'Bearer not-a-jwt' },
    });
    expect(answer.status).toBe(400);
    expect(codesOf(answer)).toEqual(['BAD_REQUEST']);
    expect(products.calls).toHaveLength(0);
  });

  test.each([
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [429, 'RATE_LIMITED'],
    [504, 'GATEWAY_TIMEOUT'],
  ])('status %d → %s; an error with a code of its own keeps it', async (status, code) => {
    const refuse: GatewayPlugin = {
      onParams({ setResult }) {
        setResult({
          errors: [
            new GraphQLError('refused', { extensions: { http: { status } } }),
            new GraphQLError('mine', { extensions: { code: 'MINE', http: { status } } }),
          ],
        });
      },
    };
    const gateway = createInMemoryGateway({ plugins: () => [refuse, useErrorCodes()] });
    gateways.push(gateway);
    const answer = await gateway.graphql('{ topReview { body } }');
    expect(answer.status).toBe(status);
    expect(codesOf(answer)).toEqual([code, 'MINE']);
  });

  test('every error sent is counted by the code it leaves with; past the bound, codes count as (other)', async () => {
    const metrics = testDeps().metrics;
    let codes: (string | undefined)[] = [];
    const refuse: GatewayPlugin = {
      onParams({ setResult }) {
        setResult({
          errors: codes.map((code) => new GraphQLError('refused', { extensions: code ? { code } : {} })),
        });
      },
    };
    const gateway = createInMemoryGateway({
      plugins: () => [refuse, useErrorCodes({ metrics })],
    });
    gateways.push(gateway);
    const errorsWith = (code: string) => metricValue(metrics, 'autograph_gateway_graphql_errors_total', { code });

    codes = ['RATE_LIMITED', 'RATE_LIMITED', undefined];
    await gateway.graphql('{ topReview { body } }');
    expect(await errorsWith('RATE_LIMITED')).toBe(2);
    expect(await errorsWith(NO_CODE)).toBe(1);

    codes = Array.from({ length: MAX_COUNTED_ERROR_CODES + 5 }, (_, index) => `CODE_${index}`);
    await gateway.graphql('{ topReview { body } }');
    // Two codes were seen before: the bound leaves room for MAX - 2 new ones, the 7 past it are (other).
    expect(await errorsWith('CODE_0')).toBe(1);
    expect(await errorsWith(OTHER_CODES)).toBe(7);
    const { values } = await metrics.registry.getSingleMetric('autograph_gateway_graphql_errors_total')!.get();
    expect(values).toHaveLength(MAX_COUNTED_ERROR_CODES + 1);
  });
});

describe('useVariableErrors', () => {
  test('variables that do not coerce are refused with BAD_USER_INPUT and graphql-js’s message, before any subgraph call', async () => {
    const { gateway, products } = securedGateway();
    const missing = await gateway.graphql('query ($id: ID!) { product(id: $id) { name } }', { variables: {} });
    expect(missing.status).toBe(200);
    expect(missing.data).toBeUndefined();
    expect(missing.errors).toEqual([
      {
        message: 'Variable "$id" of required type "ID!" was not provided.',
        locations: [{ line: 1, column: 8 }],
        extensions: { code: 'BAD_USER_INPUT' },
      } as any,
    ]);

    const wrongType = await gateway.graphql('query ($n: Int) { products(first: $n) { name } }', {
      variables: { n: 'many' },
    });
    expect(codesOf(wrongType)).toEqual(['BAD_USER_INPUT']);
    expect(wrongType.errors![0]!.message).toContain('Int cannot represent non-integer value: "many"');
    expect(products.calls).toHaveLength(0);

    const fine = await gateway.graphql('query ($n: Int) { products(first: $n) { name } }', { variables: { n: 1 } });
    expect(fine.data).toEqual({ products: [{ name: 'Kettle' }] });
  });
});

describe('authorization (useFieldAuthorization)', () => {
  const walks = 'autograph_gateway_authorization_walks_total';
  const denials = 'autograph_gateway_authorization_denials_total';

  test('an anonymous caller asking only for an @authenticated field gets data with it null and UNAUTHENTICATED, not an internal error', async () => {
    const { gateway, products, metrics } = securedGateway();
    const answer = await gateway.graphql('{ secret }');
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ secret: null });
    expect(answer.errors).toEqual([
      {
        message: 'Sign in to query Query.secret',
        locations: [{ line: 1, column: 3 }],
        path: ['secret'],
        extensions: { code: 'UNAUTHENTICATED' },
      } as any,
    ]);
    expect(products.calls).toHaveLength(0);
    expect(await metricValue(metrics, denials, { code: 'UNAUTHENTICATED' })).toBe(1);
  });

  test('a refused field beside allowed ones: partial data, and the subgraph is never asked for the refused field', async () => {
    const { gateway, products } = securedGateway();
    const answer = await gateway.graphql('{ product(id: "1") { name } secret adminNote }');
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ product: { name: 'Kettle' }, secret: null, adminNote: null });
    expect(answer.errors!.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['secret'], 'UNAUTHENTICATED'],
      [['adminNote'], 'UNAUTHENTICATED'],
    ]);
    // A refused field keeps only a `__typename` slot (so its place in the answer exists to be nulled).
    expect(products.calls.map((call) => call.query.replace(/ \w+: __typename/g, ''))).toEqual([
      '{product(id: "1"){name}}',
    ]);
  });

  test('a refused field inside an object: the object arrives with that field null', async () => {
    const { gateway } = securedGateway();
    const answer = await gateway.graphql('{ product(id: "1") { name cost } }');
    expect(answer.data).toEqual({ product: { name: 'Kettle', cost: null } });
    expect(answer.errors!.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['product', 'cost'], 'UNAUTHENTICATED'],
    ]);
  });

  // Once, @envelop/generic-auth removed a refused field's parent when nothing else was selected under
  // it and then wrote an object in its place: a list came back as an object.
  test('a list whose every selected field is refused still answers a list, each item with the field null', async () => {
    const { gateway } = securedGateway();
    for (const query of ['{ products(first: 2) { cost } }', '{ topReview { body } products(first: 2) { cost } }']) {
      const answer = await gateway.graphql(query);
      expect(codesOf(answer)).toContain('UNAUTHENTICATED');
      expect(Array.isArray(answer.data?.products)).toBe(true);
      expect(answer.data!.products.every((product: { cost: unknown }) => product.cost === null)).toBe(true);
    }
  });

  // The same library made an object up for an entity that does not exist.
  test('an entity that does not exist is null, even when every field asked of it is refused', async () => {
    const { gateway } = securedGateway();
    const answer = await gateway.graphql('{ product(id: "999") { cost } }');
    expect(codesOf(answer).every((code) => code === 'UNAUTHENTICATED')).toBe(true);
    expect(answer.data?.product ?? null).toBeNull();
  });

  test('operations that cannot touch a protected field skip the walk; the others are walked', async () => {
    const { gateway, metrics } = securedGateway();
    await gateway.graphql('{ product(id: "1") { name } topReview { body } }');
    await gateway.graphql('{ product(id: "2") { name } topReview { body } }');
    await gateway.graphql('{ secret }');
    expect(await metricValue(metrics, walks, { result: 'skipped' })).toBe(2);
    expect(await metricValue(metrics, walks, { result: 'walked' })).toBe(1);
  });

  describe('signed-in callers (tokens verified by Hive’s JWT plugin against a key of this process)', () => {
    async function signedInGateway() {
      const keys = await generateKeyPair('ES256');
      const publicKey = await exportSPKI(keys.publicKey);
      const deps = testDeps();
      const gateway = createInMemoryGateway({
        plugins: () => [
          useJWT({
            signingKeyProviders: [createInlineSigningKeyProvider(publicKey)],
            tokenVerification: { issuer: 'autograph', audience: 'autograph-api', algorithms: ['ES256'] },
            reject: { missingToken: false, invalidToken: true },
          }) as unknown as GatewayPlugin,
          useFieldAuthorization({ metrics: deps.metrics }),
        ],
      });
      gateways.push(gateway);
      const token = (roles: string[]) =>
        new SignJWT({ roles })
          .setProtectedHeader({ alg: 'ES256' })
          .setSubject('user-1')
          .setIssuer('autograph')
          .setAudience('autograph-api')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(keys.privateKey);
      return { gateway, token, metrics: deps.metrics };
    }

    test('@authenticated is granted to any verified user; @requiresScopes refuses a user without the role with FORBIDDEN', async () => {
      const { gateway, token, metrics } = await signedInGateway();
      const answer = await gateway.graphql('{ secret adminNote }', {
        headers: { authorization: `Bearer ${await token(['BUYER'])}` },
      });
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ secret: 'the secret', adminNote: null });
      expect(answer.errors!.map((error) => [error.path, error.extensions?.code, error.message])).toEqual([
        [['adminNote'], 'FORBIDDEN', 'Query.adminNote requires the role(s) ADMIN'],
      ]);
      expect(await metricValue(metrics, denials, { code: 'FORBIDDEN' })).toBe(1);
    });

    test('a user with the role gets every field', async () => {
      const { gateway, token } = await signedInGateway();
      const answer = await gateway.graphql('{ secret adminNote }', {
        headers: { authorization: `Bearer ${await token(['ADMIN'])}` },
      });
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual({ secret: 'the secret', adminNote: 'for admins' });
    });

    test('a user refused every field still gets data with each field null, not an internal error', async () => {
      const { gateway, token } = await signedInGateway();
      const answer = await gateway.graphql('{ adminNote }', {
        headers: { authorization: `Bearer ${await token([])}` },
      });
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ adminNote: null });
      expect(codesOf(answer)).toEqual(['FORBIDDEN']);
    });
  });
});
