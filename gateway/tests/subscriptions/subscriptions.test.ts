import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startLiveSystem, type LiveSystem } from './live-system';
import { subscribeSse, subscribeWs } from './clients';

let system: LiveSystem;
let gatewayUrl: string;

beforeAll(async () => {
  system = await startLiveSystem('subs');
  gatewayUrl = (await system.gateway()).url;
});
afterAll(() => system?.stop());

const PRICE_CHANGED = /* GraphQL */ `
  subscription ($id: ID!) {
    offerPriceChanged(offerId: $id) { id price seller { id name } model { name make { name } } }
  }`;

test('SSE: a price change written on one offers replica reaches a subscriber on the other, with fields of other subgraphs', async () => {
  const offer = await system.createOffer();
  const live = await subscribeSse(gatewayUrl, PRICE_CHANGED, { id: offer.id }, system.sellerToken);
  expect(live.status).toBe(200);
  await Bun.sleep(300); // the subscription reaches the subgraph and Redis
  await system.updatePrice(offer.id, 240_000_000);
  const first = await live.nth(1);
  expect(first.errors).toBeUndefined();
  expect(first.data.offerPriceChanged).toEqual({
    id: offer.id,
    price: 240_000_000,
    seller: { id: system.sellerId, name: 'Test user' },
    model: { name: 'Camry', make: { name: 'Toyota' } },
  });
  await system.updatePrice(offer.id, 230_000_000);
  expect((await live.nth(2)).data.offerPriceChanged.price).toBe(230_000_000);
  live.close();
});

test('graphql-ws: offerAdded delivers new offers matching the filter, signed in with connectionParams', async () => {
  const live = subscribeWs(
    gatewayUrl,
    'subscription ($filter: OfferFilter) { offerAdded(filter: $filter) { title city seller { name } } }',
    { filter: { modelId: system.modelId, city: 'kazan' } },
    system.sellerToken,
  );
  await Bun.sleep(500);
  await system.createOffer({ title: 'Elsewhere', city: 'Omsk' });
  await system.createOffer({ title: 'Camry in Kazan' });
  const first = await live.nth(1);
  expect(first.data.offerAdded).toEqual({ title: 'Camry in Kazan', city: 'Kazan', seller: { name: 'Test user' } });
  await Bun.sleep(300);
  expect(live.messages).toHaveLength(1);
  live.close();
});

test('a subscription ends with TOKEN_EXPIRED when its access token expires', async () => {
  const offer = await system.createOffer();
  const token = await system.issuer.sign(system.sellerId, Math.floor(Date.now() / 1000) + 3);
  const live = await subscribeSse(gatewayUrl, PRICE_CHANGED, { id: offer.id }, token);
  await Bun.sleep(300);
  await system.updatePrice(offer.id, 111_000_000);
  expect((await live.nth(1)).data.offerPriceChanged.price).toBe(111_000_000);
  const last = await live.nth(2, 6_000);
  expect(last.errors?.map((error) => error.extensions?.code)).toEqual(['TOKEN_EXPIRED']);
  await live.ended;
  expect(live.messages).toHaveLength(2);
});

test('past SUBSCRIPTIONS_PER_CLIENT a subscription is refused with SUBSCRIPTION_LIMIT; closing one frees a place', async () => {
  const gateway = await system.gateway({ SUBSCRIPTIONS_PER_CLIENT: '2' });
  const offer = await system.createOffer();
  const open = [
    await subscribeSse(gateway.url, PRICE_CHANGED, { id: offer.id }, system.sellerToken),
    subscribeWs(gateway.url, PRICE_CHANGED, { id: offer.id }, system.sellerToken),
  ];
  await Bun.sleep(500);
  const refused = await subscribeSse(gateway.url, PRICE_CHANGED, { id: offer.id }, system.sellerToken);
  const answer = await refused.nth(1);
  expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['SUBSCRIPTION_LIMIT']);
  open[0]!.close();
  await Bun.sleep(300);
  const again = await subscribeSse(gateway.url, PRICE_CHANGED, { id: offer.id }, system.sellerToken);
  await Bun.sleep(300);
  await system.updatePrice(offer.id, 99_000_000);
  expect((await again.nth(1)).data.offerPriceChanged.price).toBe(99_000_000);
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  expect(metrics).toMatch(/autograph_gateway_subscriptions_open 2/);
  expect(metrics).toMatch(/autograph_gateway_subscription_events_total [1-9]/);
  again.close();
  open[1]!.close();
});

test('an offers restart ends its subscribers with SUBSCRIPTION_INTERRUPTED, and new subscriptions work once it is back', async () => {
  const offer = await system.createOffer();
  const sse = await subscribeSse(gatewayUrl, PRICE_CHANGED, { id: offer.id }, system.sellerToken);
  const ws = subscribeWs(gatewayUrl, PRICE_CHANGED, { id: offer.id }, system.sellerToken);
  await Bun.sleep(500);
  await system.replicaA.stop();
  await Promise.all([sse.ended, ws.ended]);
  for (const live of [sse, ws]) {
    const codes = live.messages.flatMap((message) => message.errors ?? []).map((error) => error.extensions?.code);
    expect(codes).toEqual(['SUBSCRIPTION_INTERRUPTED']);
  }
  await system.restartReplicaA();
  const again = await subscribeSse(gatewayUrl, PRICE_CHANGED, { id: offer.id }, system.sellerToken);
  await Bun.sleep(500);
  await system.updatePrice(offer.id, 88_000_000);
  expect((await again.nth(1)).data.offerPriceChanged.price).toBe(88_000_000);
  again.close();
});

test('a stopping gateway ends its subscribers with SERVER_SHUTTING_DOWN instead of cutting them', async () => {
  const gateway = await system.gateway({ DRAIN_DELAY_MS: '0' });
  const offer = await system.createOffer();
  const sse = await subscribeSse(gateway.url, PRICE_CHANGED, { id: offer.id }, system.sellerToken);
  const ws = subscribeWs(gateway.url, PRICE_CHANGED, { id: offer.id }, system.sellerToken);
  await Bun.sleep(500);
  const stopping = Date.now();
  await gateway.stop();
  await Promise.all([sse.ended, ws.ended]);
  // Ended at once, not after the server's grace for streams nobody ended (kit/service.ts).
  expect(Date.now() - stopping).toBeLessThan(5_000);
  for (const live of [sse, ws]) {
    const codes = live.messages.flatMap((message) => message.errors ?? []).map((error) => error.extensions?.code);
    expect(codes).toEqual(['SERVER_SHUTTING_DOWN']);
  }
});
