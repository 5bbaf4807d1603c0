import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type postgres from 'postgres';
import type { RunningService } from '../../../kit/service';
import { errorCodes, gql } from '../../../tests/support/graphql';
import { offerInput, startOffersWithPeers, type OffersWithPeers } from './fixtures';

/** createOffer with an idempotency key, on a real offers subgraph and PostgreSQL. */
let service: RunningService;
let sql: postgres.Sql;
let modelId: string;
let seller: string;
let otherSeller: string;
let sellerToken: string;
let otherToken: string;

const CREATE = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id title price } }`;
const input = (idempotencyKey: string, overrides: Record<string, unknown> = {}) =>
  offerInput(modelId, { idempotencyKey, ...overrides });
const send = (key: string, overrides: Record<string, unknown> = {}, token = sellerToken) =>
  gql(service.url, CREATE, { input: input(key, overrides) }, { token });
const newKey = () => `test-${crypto.randomUUID()}`;

/** Rows a seller has under a key, and the outbox events of those rows. */
async function stored(sellerId: string, key: string) {
  const result = await sql`select id, price from offers.offers
    where seller_id = ${sellerId} and idempotency_key = ${key}`;
  const rows = Array.from(result, (row) => ({ id: row.id as string, price: row.price as number }));
  const [{ events }] = (await sql`select count(*)::int as events from offers.offer_events
    where offer_id = any(${rows.map((row) => row.id)}::uuid[])`) as unknown as [{ events: number }];
  return { rows, events };
}

let peers: OffersWithPeers;

beforeAll(async () => {
  peers = await startOffersWithPeers('offers_idempotency');
  ({ sql, service, modelId } = peers);
  [seller, otherSeller] = peers.sellers;
  [sellerToken, otherToken] = peers.tokens;
});

afterAll(async () => {
  await peers?.stop();
});

describe('createOffer with an idempotencyKey', () => {
  test('the same key and input twice: one offer, one event; the repeat answers with that offer', async () => {
    const key = newKey();
    const first = await send(key);
    // Field order and surrounding spaces do not make a different input: the hash is of the normalized input.
    const reordered = Object.fromEntries(
      Object.entries(input(key, { title: ' Camry 2.5 AT', city: 'Kazan ' })).reverse(),
    );
    const repeat = await gql(service.url, CREATE, { input: reordered }, { token: sellerToken });
    expect(first.errors).toBeUndefined();
    expect(repeat.errors).toBeUndefined();
    expect(repeat.data.createOffer).toEqual(first.data.createOffer);
    const { rows, events } = await stored(seller, key);
    expect(rows.map((row) => row.id)).toEqual([first.data.createOffer.id]);
    expect(events).toBe(1);
  });

  test('the same key with a different input: IDEMPOTENCY_KEY_REUSED, nothing written', async () => {
    const key = newKey();
    const first = await send(key);
    const reused = await send(key, { price: 199_000_000 });
    expect(errorCodes(reused)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(reused.errors![0]!.extensions).toMatchObject({
      field: 'idempotencyKey',
      offerId: first.data.createOffer.id,
    });
    expect(reused.data?.createOffer ?? null).toBeNull();
    const { rows, events } = await stored(seller, key);
    expect(rows).toEqual([{ id: first.data.createOffer.id, price: 250_000_000 }]);
    expect(events).toBe(1);
  });

  test('keys belong to a seller: another seller with the same key creates an offer of their own', async () => {
    const key = newKey();
    const mine = await send(key);
    const theirs = await send(key, { price: 99_000_000 }, otherToken);
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data.createOffer.id).not.toBe(mine.data.createOffer.id);
    expect((await stored(seller, key)).rows).toHaveLength(1);
    expect((await stored(otherSeller, key)).rows).toEqual([{ id: theirs.data.createOffer.id, price: 99_000_000 }]);
  });

  test('10 concurrent creates with one key: one row, one event, every answer carries its id', async () => {
    const key = newKey();
    const answers = await Promise.all(Array.from({ length: 10 }, () => send(key)));
    expect(answers.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    const { rows, events } = await stored(seller, key);
    expect(rows).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.data.createOffer.id))).toEqual(new Set([rows[0]!.id]));
    expect(events).toBe(1);
  });

  test('a create that failed stores no key: the key then works', async () => {
    const key = newKey();
    expect(errorCodes(await send(key, { modelId: crypto.randomUUID() }))).toEqual(['NOT_FOUND']);
    expect((await stored(seller, key)).rows).toHaveLength(0);
    expect((await send(key)).errors).toBeUndefined();
    expect((await stored(seller, key)).rows).toHaveLength(1);
  });

  test('an invalid key is BAD_USER_INPUT naming the field; without a key every create is new', async () => {
    for (const key of ['short', 'x'.repeat(129), 'has spaces in it', 'ключ-на-кириллице']) {
      const response = await send(key);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.extensions!.field).toBe('idempotencyKey');
    }
    for (const key of ['12345678', `${'a'.repeat(120)}_-:.1234`]) expect((await send(key)).errors).toBeUndefined();
    const withoutKey = { ...input(''), idempotencyKey: undefined };
    const [a, b] = await Promise.all(
      [1, 2].map(() => gql(service.url, CREATE, { input: withoutKey }, { token: sellerToken })),
    );
    expect(a!.data.createOffer.id).not.toBe(b!.data.createOffer.id);
  });
});
