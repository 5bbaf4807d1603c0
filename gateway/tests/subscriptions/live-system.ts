import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, generateKeyPair, SignJWT } from 'jose';
import postgres from 'postgres';
import { createLogger } from '../../../kit/log';
import type { RunningService } from '../../../kit/service';
import catalogSubgraph from '../../../subgraphs/catalog';
import { insertMake, insertModel, testSubgraphConfig } from '../../../subgraphs/catalog/tests/fixtures';
import { startSubgraph } from '../../../subgraphs/framework';
import offers from '../../../subgraphs/offers';
import { offerInput } from '../../../subgraphs/offers/tests/fixtures';
import usersSubgraph from '../../../subgraphs/users';
import { insertUser, usersUrl } from '../../../subgraphs/users/tests/fixtures';
import { withEnv } from '../../../tests/support/env';
import { gql } from '../../../tests/support/graphql';
import { dropSearchQueue, TEST_REDIS_URL } from '../../../tests/support/queues';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { readGatewayEnv } from '../../config';
import { startGateway } from '../../server';
import { uniqueRedisPrefix } from '../harness';

/**
 * A small live system for subscription tests: its own PostgreSQL database, the real catalog and
 * users subgraphs, two offers replicas sharing one Redis (pub/sub fan-out between them), and our
 * gateway in this process on a supergraph composed from those subgraphs, routing offers to replica
 * A. Replica A's relay polls only once a minute, so events of writes made on replica B are relayed
 * by B: what reaches a subscriber on A came through Redis.
 */
const KEY_ID = 'live-test-key';

export async function startLiveSystem(label: string) {
  const database = await createTempDatabase(label);
  // The users subgraph verifies tokens with its own key only: it signs with a key the test holds too.
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const users = await withEnv({ JWT_PRIVATE_KEY: await exportPKCS8(privateKey), JWT_KEY_ID: KEY_ID }, () =>
    startSubgraph(usersSubgraph, testSubgraphConfig(database.url)),
  );
  const jwksUrl = `${users.url}/.well-known/jwks.json`;
  const issuer = {
    jwksUrl,
    /** An access token as the users subgraph issues them; `expiresIn` in jose's form ('15m', or epoch seconds). */
    sign: (userId: string, expiresIn: string | number = '15m') =>
      new SignJWT({ roles: ['BUYER', 'SELLER'] })
        .setProtectedHeader({ alg: 'ES256', kid: KEY_ID })
        .setSubject(userId)
        .setIssuer('autograph')
        .setAudience('autograph-api')
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey),
  };
  const catalog = await startSubgraph(catalogSubgraph, testSubgraphConfig(database.url, { jwksUrl }));
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const makeId = await insertMake(sql, 'Toyota');
  const modelId = await insertModel(sql, makeId, 'Camry');
  const sellerId = await insertUser(sql);
  const queuePrefix = uniqueRedisPrefix(`live-${label}`).slice(0, -1);
  const offersConfig = testSubgraphConfig(database.url, {
    jwksUrl: issuer.jwksUrl,
    usersUrl: usersUrl(users),
    redis: { url: TEST_REDIS_URL },
  });
  const startOffers = (env: Record<string, string> = {}): Promise<RunningService> =>
    withEnv({ CATALOG_URL: `${catalog.url}/graphql`, QUEUE_PREFIX: queuePrefix, ...env }, () =>
      startSubgraph(offers, offersConfig),
    );
  const replicaA = await startOffers({ OUTBOX_POLL_INTERVAL_MS: '60000' });
  const replicaB = await startOffers();
  const supergraph = await composeFrom({ catalog: catalog.url, users: users.url, offers: replicaA.url });
  const sellerToken = await issuer.sign(sellerId);
  const gatewayEnv = (env: Record<string, string> = {}) => ({
    GATEWAY_PORT: '0',
    SUPERGRAPH_FILE: supergraph,
    JWKS_URL: issuer.jwksUrl,
    USAGE_REPORTING: 'off',
    SUPERGRAPH_CACHE_FILE: 'off',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: uniqueRedisPrefix('gw-live'),
    RATE_LIMIT_EXEMPT_ADDRESSES: '',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const gateways: RunningService[] = [];
  const logger = createLogger('gateway-test', process.env.E2E_LOG_LEVEL ?? 'silent');

  const system = {
    database,
    issuer,
    sql,
    modelId,
    makeId,
    sellerId,
    sellerToken,
    replicaA,
    replicaB,
    /** Our gateway on this system, with these variables on top of the test defaults. */
    async gateway(env: Record<string, string> = {}) {
      const gateway = await startGateway(readGatewayEnv(gatewayEnv(env)), logger);
      gateways.push(gateway);
      return gateway;
    },
    /** Starts replica A again (after a test stopped it) on the same port the supergraph routes to. */
    async restartReplicaA() {
      const port = new URL(system.replicaA.url).port;
      system.replicaA = await withEnv(
        { CATALOG_URL: `${catalog.url}/graphql`, QUEUE_PREFIX: queuePrefix, OUTBOX_POLL_INTERVAL_MS: '60000' },
        () => startSubgraph(offers, { ...offersConfig, port: Number(port) }),
      );
    },
    /** An offer of the seller's, created through replica B. */
    async createOffer(input: Record<string, unknown> = {}): Promise<{ id: string; price: number }> {
      const answer = await gql(
        `${replicaB.url}/graphql`,
        'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { id price } }',
        { input: offerInput(modelId, input) },
        { token: sellerToken },
      );
      if (answer.errors) throw new Error(`createOffer failed: ${JSON.stringify(answer.errors)}`);
      return answer.data.createOffer;
    },
    /** Changes an offer's price through replica B. */
    async updatePrice(id: string, price: number) {
      const answer = await gql(
        `${replicaB.url}/graphql`,
        'mutation ($id: ID!, $price: Int!) { updateOfferPrice(id: $id, price: $price) { id price } }',
        { id, price },
        { token: sellerToken },
      );
      if (answer.errors) throw new Error(`updateOfferPrice failed: ${JSON.stringify(answer.errors)}`);
    },
    async stop() {
      for (const gateway of gateways.splice(0)) await gateway.stop().catch(() => {});
      await system.replicaA.stop().catch(() => {});
      await replicaB.stop();
      await users.stop();
      await catalog.stop();
      await sql.end();
      await dropSearchQueue(queuePrefix).catch(() => {});
      await database.drop();
    },
  };
  return system;
}

export type LiveSystem = Awaited<ReturnType<typeof startLiveSystem>>;

/** The supergraph of these running subgraphs (their own SDL, `_service { sdl }`), written to a file. */
async function composeFrom(urls: Record<string, string>): Promise<string> {
  const services = [];
  for (const [name, url] of Object.entries(urls)) {
    const answer = await gql(`${url}/graphql`, '{ _service { sdl } }');
    services.push({ name, url: `${url}/graphql`, typeDefs: parse(answer.data._service.sdl) });
  }
  const result = composeServices(services);
  if (compositionHasErrors(result)) throw new Error(result.errors.map((error) => error.message).join('\n'));
  const file = join(mkdtempSync(join(tmpdir(), 'autograph-live-')), 'supergraph.graphql');
  writeFileSync(file, result.supergraphSdl);
  return file;
}
