import { createHash } from 'node:crypto';
import { OWASP, type Payload, type PayloadGroup } from '../payload';

const category = OWASP.resourceConsumption;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** The document the APQ payload claims to send, and the one it really sends under that document's hash. */
const CLAIMED = '{ makes { id } }';
const SENT = '{ makes { id country } }';
const LONG_ID = 'x'.repeat(10_000);

const payloads: Payload[] = [
  {
    name: 'batch of 11 operations (limit 10)',
    category,
    request: { target: 'gateway', json: Array.from({ length: 11 }, () => ({ query: '{ makes { id } }' })) },
    expect: { status: 413 },
  },
  {
    name: 'batch of 1,000 operations',
    category,
    request: { target: 'gateway', json: Array.from({ length: 1000 }, () => ({ query: '{ __typename }' })) },
    expect: { status: 413 },
  },
  {
    name: 'batch of 10 operations, each just under the cost limit',
    category,
    request: {
      target: 'gateway',
      json: Array.from({ length: 10 }, () => ({
        query: '{ offers(first: 100) { edges { node { seller { offers(first: 90) { totalCount } } } } } }',
      })),
    },
    expect: {
      status: 200,
      check: (o) =>
        o.ms > 5_000
          ? `took ${o.ms} ms`
          : Array.isArray(o.body) &&
              o.body.length === 10 &&
              o.body.every((item: any) => item.data || item.errors?.[0]?.extensions?.code)
            ? null
            : 'not ten coded answers',
      means: 'bounded by MAX_BATCH_SIZE × MAX_QUERY_COST: ten answers (data or coded refusals) within 5 s',
    },
  },
  {
    name: 'body of 200 KB (limit 128 KiB)',
    category,
    request: { target: 'gateway', json: { query: `{ makes { id } } # ${'x'.repeat(200_000)}` } },
    expect: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  },
  {
    name: 'body of 8 MB',
    category,
    request: { target: 'gateway', json: { query: '{ makes { id } }', variables: { x: 'y'.repeat(8_000_000) } } },
    expect: { status: 413 },
  },
  {
    name: 'huge string argument (100,000 characters) in search text',
    category,
    request: {
      target: 'gateway',
      json: {
        query: 'query ($t: String) { searchOffers(text: $t) { totalCount } }',
        variables: { t: 'a '.repeat(50_000) },
      },
    },
    expect: { status: [200, 400], code: 'BAD_USER_INPUT', check: (o) => (o.ms > 3_000 ? `took ${o.ms} ms` : null) },
  },
  {
    name: 'deeply nested variables (JSON 5,000 levels)',
    category,
    request: {
      target: 'gateway',
      body: `{"query":"query ($f: OfferFilter) { offers(filter: $f) { totalCount } }","variables":{"f":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
      headers: { 'content-type': 'application/json' },
    },
    expect: { status: [200, 400], code: ['BAD_USER_INPUT', 'BAD_REQUEST'] },
  },
  {
    name: 'malformed JSON body',
    category: OWASP.injection,
    request: {
      target: 'gateway',
      body: '{"query": "{ makes { id } }"',
      headers: { 'content-type': 'application/json' },
    },
    expect: { status: 400 },
  },
  {
    name: 'APQ: query text sent under another document’s hash',
    category: OWASP.injection,
    request: {
      target: 'gateway',
      json: { query: SENT, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(CLAIMED) } } },
    },
    expect: {
      status: [200, 400],
      check: (o) => (o.status === 200 && !o.body?.data?.makes?.[0]?.country ? 'not the text sent' : null),
      means: 'the text sent is what runs (or refused)',
    },
    // The hash of the claimed document must not now answer with what the attacker sent (cache poisoning).
    verify: async (actors) => {
      const response = await fetch(
        `${actors.target.system.gatewayUrl}/graphql?extensions=${encodeURIComponent(
          JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(CLAIMED) } }),
        )}`,
        { headers: { 'x-graphql-csrf': '1', accept: 'application/json' } },
      );
      const text = await response.text();
      return text.includes('"country"') ? 'the claimed hash now answers the attacker’s document' : null;
    },
  },
  {
    name: 'APQ: unknown hash only',
    category: OWASP.injection,
    request: {
      target: 'gateway',
      json: { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('never sent') } } },
    },
    expect: { status: [200, 400, 404], code: ['PERSISTED_QUERY_NOT_FOUND', 'BAD_REQUEST'] },
  },
  {
    name: 'oversized x-request-id (10,000 characters)',
    category: OWASP.misconfiguration,
    request: { target: 'gateway', json: { query: '{ makes { id } }' }, headers: { 'x-request-id': LONG_ID } },
    expect: {
      status: [200, 400, 431],
      check: (o) => (o.headers.get('x-request-id')?.includes('xxxxxxxx') ? 'the request id is echoed' : null),
      means: 'not echoed',
    },
  },
  {
    name: 'x-request-id carrying JSON (log injection)',
    category: OWASP.injection,
    request: {
      target: 'gateway',
      json: { query: '{ makes { id } }' },
      headers: { 'x-request-id': 'abc","level":"fatal","msg":"forged' },
    },
    expect: {
      status: 200,
      check: (o) => (o.headers.get('x-request-id')?.includes('forged') ? 'the request id is echoed' : null),
      means: 'not echoed',
    },
  },
];

export const protocol: PayloadGroup = { name: 'Protocol: batching, bodies, persisted queries, headers', payloads };
