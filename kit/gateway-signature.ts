import { createHmac, timingSafeEqual } from 'node:crypto';
import { defaultParamsSerializer } from '@graphql-mesh/hmac-upstream-signature';

/**
 * The gateway's signature on subgraph requests: HMAC-SHA256, keyed by GATEWAY_HMAC_SECRET, over
 * the query and variables serialized as @graphql-mesh/hmac-upstream-signature does (stable key
 * order), base64, in `extensions["hmac-signature"]`. The same bytes as Hive Gateway's
 * `hmacSignature` option, so a stock Hive Gateway with that option is served by our subgraphs.
 *
 * Signed and checked here with node:crypto, synchronously: the library signs through WebCrypto,
 * a promise and a logger per subgraph call (0.1 ms per request on this machine's profile).
 */
export const SIGNATURE_EXTENSION = 'hmac-signature';

export interface SignedPayload {
  query: string;
  variables?: Record<string, unknown> | null;
}

// The serializer is typed `string | undefined` for params without a query; ours always have one.
const payloadOf = (params: SignedPayload) =>
  defaultParamsSerializer({ query: params.query, variables: params.variables ?? undefined }) ?? '';

export function signPayload(secret: string, params: SignedPayload): string {
  return createHmac('sha256', secret).update(payloadOf(params)).digest('base64');
}

/** True when `signature` (base64) is this secret's signature of `params`; compared in constant time. */
export function verifyPayload(secret: string, params: SignedPayload, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(payloadOf(params)).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
