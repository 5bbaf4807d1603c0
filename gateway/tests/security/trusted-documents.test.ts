import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { errorCodes, eventually, gql } from '../../../tests/support/graphql';
import { TEST_REDIS_URL } from '../../../tests/support/queues';
import { startTestGateway, stopTestGateways, supergraphFile, uniqueRedisPrefix } from '../harness';
import { gatewayCounter } from '../metrics';
import { post, publishDocuments, startLoggedGateway } from './support';

/**
 * Trusted documents (TRUSTED_DOCUMENTS=off|allow-arbitrary-with-log|enforce): documents published
 * to the registry, requested by id as an APQ hash or a `documentId`, over POST and GET.
 */

const unique = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** The response cache would answer repeated id requests before any lookup: these tests watch the lookups. */
const env = (vars: Record<string, string>) => ({ RESPONSE_CACHE: 'off', ...vars });
const LOOKUPS = 'autograph_gateway_trusted_document_lookups_total';
let makesDocument: string;
let makesId: string;
const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });

const byApq = (id: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } });

beforeAll(async () => {
  makesDocument = `query TrustedMakes${unique()} { makes { name } }`;
  [makesId] = (await publishDocuments('web', [makesDocument])) as [string];
}, 120_000);

afterAll(async () => {
  await stopTestGateways();
  redis.disconnect();
});

describe('TRUSTED_DOCUMENTS=enforce', () => {
  test('serves a published document by APQ hash and by documentId, over POST and GET', async () => {
    const gateway = await startTestGateway(env({ TRUSTED_DOCUMENTS: 'enforce' }));
    const apq = await (await post(gateway.url, byApq(makesId))).json();
    expect(apq.errors).toBeUndefined();
    expect(apq.data.makes.length).toBeGreaterThan(0);

    const documentId = await (await post(gateway.url, { documentId: makesId })).json();
    expect(documentId.data).toEqual(apq.data);

    const get = await fetch(`${gateway.url}/graphql?documentId=${makesId}`, {
      headers: { 'x-graphql-csrf': '1', accept: 'application/json' },
    });
    expect(get.status).toBe(200);
    expect((await get.json()).data).toEqual(apq.data);
  });

  test('refuses query text (PERSISTED_QUERY_ONLY) and unknown ids (PERSISTED_QUERY_NOT_FOUND) with 400', async () => {
    const gateway = await startTestGateway(env({ TRUSTED_DOCUMENTS: 'enforce' }));
    const text = await gql(gateway.url, '{ makes { name } }');
    expect(text.status).toBe(400);
    expect(errorCodes(text)).toEqual(['PERSISTED_QUERY_ONLY']);
    expect(text.data).toBeUndefined();

    const unknown = await post(gateway.url, byApq('f'.repeat(64)));
    expect(unknown.status).toBe(400);
    expect(errorCodes(await unknown.json())).toEqual(['PERSISTED_QUERY_NOT_FOUND']);

    // Not a possible id at all: refused without asking the registry.
    const registryLookups = await gatewayCounter(gateway, LOOKUPS, { source: 'registry' });
    const malformed = await post(gateway.url, { documentId: '../../supergraph' });
    expect(errorCodes(await malformed.json())).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(await gatewayCounter(gateway, LOOKUPS, { source: 'registry' })).toBe(registryLookups);
  });

  test('asks the registry once, then answers from memory; a second replica finds it in Redis', async () => {
    const prefix = uniqueRedisPrefix('trusted');
    const document = `query TrustedOnce${unique()} { makes { country } }`;
    const [id] = (await publishDocuments('web', [document])) as [string];
    const first = await startTestGateway(env({ TRUSTED_DOCUMENTS: 'enforce', REDIS_KEY_PREFIX: prefix }));
    const second = await startTestGateway(env({ TRUSTED_DOCUMENTS: 'enforce', REDIS_KEY_PREFIX: prefix }));

    const fromRegistry = await gatewayCounter(first, LOOKUPS, { source: 'registry', found: 'true' });
    const fromMemory = await gatewayCounter(first, LOOKUPS, { source: 'memory', found: 'true' });
    const fromRedis = await gatewayCounter(second, LOOKUPS, { source: 'redis', found: 'true' });
    for (let i = 0; i < 3; i++) expect((await (await post(first.url, byApq(id!))).json()).errors).toBeUndefined();
    expect(await gatewayCounter(first, LOOKUPS, { source: 'registry', found: 'true' })).toBe(fromRegistry + 1);
    expect(await gatewayCounter(first, LOOKUPS, { source: 'memory', found: 'true' })).toBe(fromMemory + 2);
    expect(await redis.get(`${prefix}trusted-documents:main:${id}`)).toBe(document);

    expect((await (await post(second.url, byApq(id!))).json()).errors).toBeUndefined();
    expect(await gatewayCounter(second, LOOKUPS, { source: 'redis', found: 'true' })).toBe(fromRedis + 1);
    expect(await gatewayCounter(second, LOOKUPS, { source: 'registry' })).toBe(0);
  });

  test('remembers an unknown id only briefly: a document published afterwards is served soon', async () => {
    const prefix = uniqueRedisPrefix('trusted-miss');
    const gateway = await startTestGateway(
      env({ TRUSTED_DOCUMENTS: 'enforce', TRUSTED_DOCUMENTS_MISS_TTL_MS: '10000', REDIS_KEY_PREFIX: prefix }),
    );
    const document = `query TrustedLater${unique()} { makes { name country } }`;
    const id = sha256(document);

    const misses = await gatewayCounter(gateway, LOOKUPS, { source: 'memory', found: 'false' });
    for (let i = 0; i < 2; i++)
      expect(errorCodes(await (await post(gateway.url, byApq(id))).json())).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(await gatewayCounter(gateway, LOOKUPS, { source: 'memory', found: 'false' })).toBe(misses + 1);
    expect(await redis.get(`${prefix}trusted-documents:main:${id}`)).toBe('');
    expect(await redis.pttl(`${prefix}trusted-documents:main:${id}`)).toBeLessThanOrEqual(10_000);

    await publishDocuments('web', [document]);
    // A gateway that remembers misses for 300 ms picks the new document up at once.
    const quick = await startTestGateway(env({ TRUSTED_DOCUMENTS: 'enforce', TRUSTED_DOCUMENTS_MISS_TTL_MS: '300' }));
    const served = await eventually(
      async () => {
        const body = await (await post(quick.url, byApq(id))).json();
        return body.data?.makes ? body : null;
      },
      10_000,
      100,
    );
    expect(served.errors).toBeUndefined();
  });
});

describe('TRUSTED_DOCUMENTS with the registry down', () => {
  test('an id that is not cached yet answers 503 PERSISTED_QUERY_UNAVAILABLE, not "unknown"', async () => {
    const gateway = await startTestGateway(
      env({
        TRUSTED_DOCUMENTS: 'enforce',
        SUPERGRAPH_FILE: await supergraphFile(),
        REGISTRY_URL: 'http://127.0.0.1:9',
      }),
    );
    const response = await post(gateway.url, byApq(sha256(`query Unreachable${unique()} { makes { name } }`)));
    expect(response.status).toBe(503);
    expect(errorCodes(await response.json())).toEqual(['PERSISTED_QUERY_UNAVAILABLE']);
  });
});

describe('TRUSTED_DOCUMENTS=allow-arbitrary-with-log', () => {
  test('serves query text, counts it, and logs each distinct document once; ids still work', async () => {
    const gateway = await startLoggedGateway(env({ TRUSTED_DOCUMENTS: 'allow-arbitrary-with-log' }));
    try {
      const before = await gatewayCounter(gateway, 'autograph_gateway_arbitrary_documents_total');
      const query = `query Untrusted${unique()} { makes { name } }`;
      for (let i = 0; i < 3; i++) {
        const response = await gql(gateway.url, query, {}, { headers: { 'graphql-client-name': 'legacy-app' } });
        expect(response.errors).toBeUndefined();
      }
      expect(await gatewayCounter(gateway, 'autograph_gateway_arbitrary_documents_total')).toBe(before + 3);
      const logged = gateway.lines.filter(
        (line) => line.msg?.includes('not a trusted document') && line.documentHash === sha256(query),
      );
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ client: 'legacy-app', operationName: query.split(' ')[1] });

      const byId = await (await post(gateway.url, byApq(makesId))).json();
      expect(byId.errors).toBeUndefined();
      expect(await gatewayCounter(gateway, 'autograph_gateway_arbitrary_documents_total')).toBe(before + 3);
      const unknown = await (await post(gateway.url, byApq('e'.repeat(64)))).json();
      expect(errorCodes(unknown)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    } finally {
      await gateway.stop();
    }
  });
});

describe('TRUSTED_DOCUMENTS=off (default)', () => {
  test('serves query text and does not resolve ids', async () => {
    const gateway = await startTestGateway();
    expect((await gql(gateway.url, '{ makes { name } }')).errors).toBeUndefined();
    const byId = await post(gateway.url, byApq(makesId));
    expect(byId.status).toBe(400);
    expect((await byId.json()).data).toBeUndefined();
  });
});
