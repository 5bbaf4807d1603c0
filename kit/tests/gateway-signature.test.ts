import { describe, expect, test } from 'bun:test';
import { defaultParamsSerializer } from '@graphql-mesh/hmac-upstream-signature';
import { signPayload, verifyPayload } from '../gateway-signature';

const secret = 'a-secret-of-the-gateway-0123456789';
const params = { query: 'query($id:ID!){offer(id:$id){id}}', variables: { id: '42', b: [1, { z: 1, a: 2 }] } };

/** The signature @graphql-mesh/hmac-upstream-signature (Hive Gateway's `hmacSignature`) makes, through WebCrypto. */
async function librarySignature(payload: typeof params): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const bytes = await crypto.subtle.sign('HMAC', key, encoder.encode(defaultParamsSerializer(payload)));
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

describe('gateway signature', () => {
  test('the same bytes as Hive Gateway signs: a stock gateway with hmacSignature is served', async () => {
    expect(signPayload(secret, params)).toBe(await librarySignature(params));
    // Key order does not matter (stable serialization); empty variables are the same as none.
    const reordered = { query: params.query, variables: { b: [1, { a: 2, z: 1 }], id: '42' } };
    expect(signPayload(secret, reordered)).toBe(signPayload(secret, params));
    expect(signPayload(secret, { query: 'query{a}', variables: {} })).toBe(signPayload(secret, { query: 'query{a}' }));
  });

  test('verification refuses another secret, changed variables or query, and malformed signatures', () => {
    const signature = signPayload(secret, params);
    expect(verifyPayload(secret, params, signature)).toBe(true);
    expect(verifyPayload(`${secret}!`, params, signature)).toBe(false);
    expect(verifyPayload(secret, { ...params, variables: { id: '43' } }, signature)).toBe(false);
    expect(verifyPayload(secret, { ...params, query: `${params.query} ` }, signature)).toBe(false);
    expect(verifyPayload(secret, params, 'not base64 at all ✓')).toBe(false);
    expect(verifyPayload(secret, params, '')).toBe(false);
  });
});
