/**
 * Rebuilds the search index from the offers subgraph: `bun subgraphs/search/reindex.ts`.
 * Reads DATABASE_URL (or SEARCH_DATABASE_URL), OFFERS_URL and CATALOG_URL.
 */
import { connectDatabase } from '../../kit/db';
import { createCatalogClient } from '../catalog/client';
import { loadSubgraphConfig } from '../framework';
import { loadSearchConfig } from './config';
import { tables } from './db/schema';
import { reindexFromOffers } from './indexer';

const config = loadSubgraphConfig('search');
const own = loadSearchConfig();
const database = connectDatabase({ url: config.databaseUrl, service: 'search-reindex', max: 2 }, tables);
const started = Date.now();
try {
  const result = await reindexFromOffers({
    db: database.db,
    catalog: createCatalogClient({ url: own.catalogUrl, hmacSecret: config.gatewayHmacSecret }),
    offersUrl: own.offersUrl,
    hmacSecret: config.gatewayHmacSecret,
    log: console.log,
  });
  console.log(
    `reindexed ${result.indexed} offers, removed ${result.removed} stale documents in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
} catch (error) {
  console.error(`reindex failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
