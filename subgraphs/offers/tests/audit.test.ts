import { afterAll, beforeAll, expect, test } from 'bun:test';
import { gql } from '../../../tests/support/graphql';
import { offerInput, startOffersWithPeers, type OffersWithPeers } from './fixtures';

let stack: OffersWithPeers;

beforeAll(async () => {
  stack = await startOffersWithPeers('offers_audit');
});

afterAll(async () => {
  await stack?.stop();
});

const CREATE = 'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { id } }';
const PRICE = 'mutation ($id: ID!, $price: Int!) { updateOfferPrice(id: $id, price: $price) { price } }';
const STATUS = 'mutation ($id: ID!, $status: OfferStatus!) { setOfferStatus(id: $id, status: $status) { status } }';

test('price changes and withdrawals are recorded with the seller, the offer and the forwarded address', async () => {
  const token = stack.tokens[0];
  const headers = { 'x-forwarded-for': '192.0.2.44' };
  const created = await gql(stack.service.url, CREATE, { input: offerInput(stack.modelId) }, { token });
  const id = created.data.createOffer.id;
  expect((await gql(stack.service.url, PRICE, { id, price: 240_000_000 }, { token, headers })).errors).toBeUndefined();
  expect((await gql(stack.service.url, STATUS, { id, status: 'SOLD' }, { token, headers })).errors).toBeUndefined();
  expect((await gql(stack.service.url, STATUS, { id, status: 'ARCHIVED' }, { token, headers })).errors).toBeUndefined();

  const entries = await stack.sql`
    select action, actor_id, target, details, client_ip from offers.audit_log where target = ${id} order by id`;
  expect(entries.map((e) => e.action)).toEqual(['offer.price_changed', 'offer.withdrawn']);
  expect(entries[0]).toMatchObject({
    actor_id: stack.sellers[0],
    client_ip: '192.0.2.44',
    details: { from: 250_000_000, to: 240_000_000, currency: 'RUB' },
  });
  expect(entries[1]!.details).toEqual({ from: 'SOLD' });
});
