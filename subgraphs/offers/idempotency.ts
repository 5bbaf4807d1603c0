import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { apiError, badInput } from '../framework';
import { offers, type StoredOffer } from './db/schema';

/**
 * Idempotent creates, as Stripe's idempotency keys: a seller's createOffer may carry a key; the
 * first create with it stores the key and a hash of its input with the offer, a repeat with the
 * same input gets that offer back (nothing written), a different input reusing the key is
 * refused. Keys belong to a seller and are kept with the offer for good (no expiry).
 */

/** Long enough to be unique (a UUID, a ULID, `cart-42.1`), short enough to index. */
const KEY_PATTERN = /^[A-Za-z0-9_\-:.]{8,128}$/;

export interface Idempotency {
  key: string;
  /** sha256 (hex) of the normalized input: tells a repeat from a different create with the key. */
  inputHash: string;
}

/** The key and the hash of `input` (already normalized: trimmed text, lower-case ids, defaults filled in). */
export function idempotencyOf(key: string, input: Record<string, string | number>): Idempotency {
  if (!KEY_PATTERN.test(key))
    throw badInput('idempotencyKey must be 8 to 128 characters of A-Z, a-z, 0-9, _ - : .', 'idempotencyKey');
  return { key, inputHash: hashInput(input) };
}

/** Stable JSON (keys sorted) of a flat input, hashed: the same create, whatever order its fields came in. */
function hashInput(input: Record<string, string | number>): string {
  const sorted = Object.entries(input).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify(Object.fromEntries(sorted)))
    .digest('hex');
}

/** The seller's offer created with the key. */
export const createdWithKey = (sellerId: string, key: string) =>
  and(eq(offers.sellerId, sellerId), eq(offers.idempotencyKey, key));

/** The conflict target of an insert with a key: the partial unique index on (seller_id, idempotency_key). */
export const KEY_CONFLICT_TARGET = {
  target: [offers.sellerId, offers.idempotencyKey],
  where: sql`idempotency_key is not null`,
};

/** The offer a repeat returns; a different input under the same key writes nothing and is refused. */
export function replay(existing: StoredOffer, idempotency: Idempotency): StoredOffer {
  if (existing.inputHash !== idempotency.inputHash)
    throw apiError(
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotencyKey was already used to create an offer with a different input; use a new key for a new offer',
      { field: 'idempotencyKey', offerId: existing.id },
    );
  return existing;
}
