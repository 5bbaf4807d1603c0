import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createYoga } from 'graphql-yoga';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose } from '../../../schema-registry/compose';
import { SUBGRAPH_NAMES, subgraphs } from '../../../subgraphs';
import { createSubgraphBuilder, printSubgraphSdl, type BaseContext } from '../../../subgraphs/framework';
import { errorCodes, gql } from '../../../tests/support/graphql';
import { getSystem } from '../../../tests/support/system';
import { createTestIssuer } from '../../../tests/support/tokens';
import { startTestGateway, stopTestGateways, type TestGateway } from '../harness';
import { gatewayCounter } from '../metrics';
import { userWithRoles } from './support';

/**
 * Role-based access declared in subgraph schemas (@authenticated, @requiresScopes) and enforced
 * by the gateway, per role. The contract has no moderation fields yet, so a small extra subgraph
 * declares some (`moderationQueue` for moderators or admins, `moderationLog` for admins) and counts
 * how often it is really called: a refused field must never reach its subgraph.
 */

const CREATE_OFFER = `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { id seller { id } } }`;
let modelId: string;
let gateway: TestGateway;
let moderation: { url: string; calls: () => number; stop: () => void };
let tokens: Record<'buyer' | 'seller' | 'dealer' | 'moderator' | 'admin', { id: string; token: string }>;

const offerInput = () => ({
  modelId,
  title: `RBAC test ${crypto.randomUUID().slice(0, 6)}`,
  price: 900_000_00,
  year: 2018,
  mileageKm: 80_000,
  city: 'Kazan',
});

beforeAll(async () => {
  const system = await getSystem();
  moderation = startModerationSubgraph();
  gateway = await startTestGateway({
    SUPERGRAPH_FILE: await supergraphWith({
      name: 'moderation',
      url: `${moderation.url}/graphql`,
      sdl: printSubgraphSdl(moderationSchema()),
    }),
  });
  const makes = await gql(system.subgraphUrls.catalog, '{ makes { models { id } } }');
  modelId = makes.data.makes[0].models[0].id;
  const [buyer, seller, dealer, moderator, admin] = await Promise.all([
    userWithRoles(['BUYER']),
    userWithRoles(['BUYER', 'SELLER']),
    userWithRoles(['DEALER']),
    userWithRoles(['BUYER', 'MODERATOR']),
    userWithRoles(['ADMIN']),
  ]);
  tokens = { buyer: buyer!, seller: seller!, dealer: dealer!, moderator: moderator!, admin: admin! };
}, 120_000);

afterAll(async () => {
  await stopTestGateways();
  moderation?.stop();
});

describe('anonymous callers', () => {
  test('get partial data: public fields answer, @authenticated ones are null with UNAUTHENTICATED', async () => {
    const response = await gql(gateway.url, '{ makes { name } me { email } }');
    expect(response.status).toBe(200);
    expect(response.data.makes.length).toBeGreaterThan(0);
    expect(response.data.me).toBeNull();
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors![0]!.path).toEqual(['me']);
  });

  test('cannot run an @authenticated mutation', async () => {
    const response = await gql(gateway.url, CREATE_OFFER, { input: offerInput() });
    expect(response.data?.createOffer ?? null).toBeNull();
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  test('never reach a subgraph for a field they may not see', async () => {
    const before = moderation.calls();
    const response = await gql(gateway.url, '{ moderationQueue }');
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(moderation.calls()).toBe(before);
  });
});

describe('signed-in callers, per role', () => {
  test('BUYER: sees their own account, may not create offers (needs SELLER or DEALER)', async () => {
    const me = await gql(gateway.url, '{ me { roles } }', {}, { token: tokens.buyer.token });
    expect(me.data.me.roles).toEqual(['BUYER']);
    const denials = await gatewayCounter(gateway, 'autograph_gateway_authorization_denials_total', {
      code: 'FORBIDDEN',
    });
    const create = await gql(gateway.url, CREATE_OFFER, { input: offerInput() }, { token: tokens.buyer.token });
    expect(errorCodes(create)).toEqual(['FORBIDDEN']);
    expect(await gatewayCounter(gateway, 'autograph_gateway_authorization_denials_total', { code: 'FORBIDDEN' })).toBe(
      denials + 1,
    );
    expect(create.errors![0]!.message).toContain('SELLER or DEALER');
  });

  test('SELLER and DEALER: may create offers (either role is enough)', async () => {
    for (const who of [tokens.seller, tokens.dealer]) {
      const create = await gql(gateway.url, CREATE_OFFER, { input: offerInput() }, { token: who.token });
      expect(create.errors).toBeUndefined();
      expect(create.data.createOffer.seller.id).toBe(who.id);
    }
  });

  test('MODERATOR: may moderate, may not create offers or read the admin audit log', async () => {
    const queue = await gql(gateway.url, '{ moderationQueue }', {}, { token: tokens.moderator.token });
    expect(queue.errors).toBeUndefined();
    expect(queue.data.moderationQueue).toEqual(['review:1']);

    const before = moderation.calls();
    const both = await gql(gateway.url, '{ moderationQueue moderationLog }', {}, { token: tokens.moderator.token });
    // moderationLog is non-null: refused, its null reaches `data`, as an execution error's would (Hive
    // Gateway then leaves `data` out, as stock does when every root field fails).
    expect(both.data ?? null).toBeNull();
    expect(errorCodes(both)).toEqual(['FORBIDDEN']);
    expect(both.errors![0]!.path).toEqual(['moderationLog']);
    expect(moderation.calls() - before).toBe(1); // moderationLog was never asked for

    const create = await gql(gateway.url, CREATE_OFFER, { input: offerInput() }, { token: tokens.moderator.token });
    expect(errorCodes(create)).toEqual(['FORBIDDEN']);
  });

  test('ADMIN: may moderate and read the audit log; holds no other role implicitly', async () => {
    const response = await gql(gateway.url, '{ moderationQueue moderationLog }', {}, { token: tokens.admin.token });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ moderationQueue: ['review:1'], moderationLog: ['admin:granted'] });
    const create = await gql(gateway.url, CREATE_OFFER, { input: offerInput() }, { token: tokens.admin.token });
    expect(errorCodes(create)).toEqual(['FORBIDDEN']);
  });

  test('SELLER: not a moderator', async () => {
    const response = await gql(gateway.url, '{ moderationQueue }', {}, { token: tokens.seller.token });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });
});

describe('tokens', () => {
  test("while the key set cannot be fetched, a token is answered 503 AUTH_UNAVAILABLE (our outage, not the caller's)", async () => {
    const blind = await startTestGateway({ JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' });
    const response = await gql(blind.url, '{ me { email } }', {}, { token: tokens.buyer.token });
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['AUTH_UNAVAILABLE']);
    // Anonymous reads need no keys.
    expect((await gql(blind.url, '{ makes { name } }')).errors).toBeUndefined();
  });
});

describe('defence in depth', () => {
  test('with AUTHORIZATION_DIRECTIVES=off the subgraph still refuses: its resolver checks the role itself', async () => {
    const unguarded = await startTestGateway({ AUTHORIZATION_DIRECTIVES: 'off' });
    const create = await gql(unguarded.url, CREATE_OFFER, { input: offerInput() }, { token: tokens.buyer.token });
    expect(errorCodes(create)).toEqual(['FORBIDDEN']);
    // The subgraph's wording, not the gateway's: the request got through to offers.
    expect(create.errors![0]!.message).toBe('Only sellers and dealers can create offers');
  });

  test('with JWT_VERIFICATION=off a forged token still gets nothing: the subgraph verifies it', async () => {
    const trusting = await startTestGateway({ JWT_VERIFICATION: 'off', AUTHORIZATION_DIRECTIVES: 'off' });
    const forger = await createTestIssuer();
    const forged = await forger.sign(tokens.admin.id, ['ADMIN']);
    forger.stop();
    const response = await gql(trusting.url, '{ me { email } }', {}, { token: forged });
    expect(response.data?.me ?? null).toBeNull();
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });
});

/** A subgraph with moderation fields, built with the kit's builder (as the real subgraphs are). */
function moderationSchema() {
  const builder = createSubgraphBuilder<BaseContext>();
  builder.queryType({
    fields: (t) => ({
      moderationQueue: t.stringList({ requiresScopes: [['MODERATOR'], ['ADMIN']], resolve: () => ['review:1'] }),
      moderationLog: t.stringList({ requiresScopes: [['ADMIN']], resolve: () => ['admin:granted'] }),
    }),
  });
  return builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });
}

function startModerationSubgraph() {
  let calls = 0;
  const yoga = createYoga({ schema: moderationSchema(), graphqlEndpoint: '/graphql', logging: false });
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request) {
      calls++;
      return yoga.fetch(request);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, calls: () => calls, stop: () => server.stop(true) };
}

/** The five subgraphs as they are now, plus one more, composed by the registry's own composition. */
async function supergraphWith(extra: { name: string; url: string; sdl: string }): Promise<string> {
  const system = await getSystem();
  const snapshots = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => ({
      name,
      url: `${system.subgraphUrls[name]}/graphql`,
      sdl: printSubgraphSdl((await subgraphs[name]()).schema),
    })),
  );
  const composed = compose([...snapshots, extra] as Parameters<typeof compose>[0]);
  if (!composed.ok) throw new Error(`composition failed: ${JSON.stringify(composed.errors)}`);
  const file = join(mkdtempSync(join(tmpdir(), 'autograph-rbac-')), 'supergraph.graphql');
  writeFileSync(file, composed.supergraphSdl);
  return file;
}
