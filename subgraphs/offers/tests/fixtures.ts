import postgres from 'postgres';
import offers from '..';
import { startSubgraph } from '../../framework';
import type { RunningService } from '../../../kit/service';
import { insertMake, insertModel, startCatalog, testSubgraphConfig } from '../../catalog/tests/fixtures';
import { insertUser, startUsers, usersUrl } from '../../users/tests/fixtures';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { createTestIssuer } from '../../../tests/support/tokens';
import { withEnv } from '../../../tests/support/env';

/** A createOffer input for the fixture's model; `overrides` changes or adds fields. */
export const offerInput = (modelId: string, overrides: Record<string, unknown> = {}) => ({
  modelId,
  title: 'Camry 2.5 AT',
  price: 250_000_000,
  year: 2019,
  mileageKm: 60_000,
  city: 'Kazan',
  ...overrides,
});

/**
 * The offers subgraph as it runs, on a fresh PostgreSQL database: the real catalog and users
 * subgraphs beside it (it asks them for models and accounts), one make and model, and two
 * signed-in sellers with tokens from a test issuer.
 */
export async function startOffersWithPeers(databaseLabel: string) {
  const database = await createTempDatabase(databaseLabel);
  const issuer = await createTestIssuer();
  const catalog = await startCatalog(database.url);
  const users = await startUsers(database.url);
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const makeId = await insertMake(sql, 'Toyota');
  const modelId = await insertModel(sql, makeId, 'Camry');
  const sellers = [crypto.randomUUID(), crypto.randomUUID()] as const;
  for (const id of sellers) await insertUser(sql, { id });
  const service: RunningService = await withEnv({ CATALOG_URL: `${catalog.url}/graphql` }, () =>
    startSubgraph(offers, testSubgraphConfig(database.url, { jwksUrl: issuer.jwksUrl, usersUrl: usersUrl(users) })),
  );
  const tokens = [await issuer.sign(sellers[0]), await issuer.sign(sellers[1])] as const;
  return {
    database,
    issuer,
    catalog,
    users,
    sql,
    service,
    makeId,
    modelId,
    sellers,
    tokens,
    async stop() {
      await service.stop();
      await users.stop();
      await catalog.stop();
      await sql.end();
      issuer.stop();
      await database.drop();
    },
  };
}

export type OffersWithPeers = Awaited<ReturnType<typeof startOffersWithPeers>>;
