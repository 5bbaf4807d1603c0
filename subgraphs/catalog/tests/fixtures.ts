import type { Sql } from 'postgres';
import { startSubgraph, type SubgraphConfig } from '../../framework';
import catalog from '..';

/**
 * Helpers for tests that need a real catalog: its own tests, and subgraphs that ask it about
 * models (reviews, offers). Rows go in with plain SQL, as reference data does in production.
 */
export function testSubgraphConfig(databaseUrl: string, overrides: Partial<SubgraphConfig> = {}): SubgraphConfig {
  return {
    port: 0,
    databaseUrl,
    replicaUrls: [],
    poolMax: 3,
    redis: undefined,
    // Never fetched unless a request carries a token; tests that sign tokens pass their issuer's URL.
    jwksUrl: 'http://127.0.0.1:9/.well-known/jwks.json',
    // Nobody there: a signed-in write fails closed (AUTH_UNAVAILABLE) unless the test starts users.
    usersUrl: 'http://127.0.0.1:9/graphql',
    jwtIssuer: 'autograph',
    jwtAudience: 'autograph-api',
    logLevel: 'silent',
    ...overrides,
  };
}

export const startCatalog = (databaseUrl: string) => startSubgraph(catalog, testSubgraphConfig(databaseUrl));

export async function insertMake(sql: Sql, name: string, country = 'Japan'): Promise<string> {
  const [row] = await sql`insert into catalog.makes (name, country) values (${name}, ${country}) returning id`;
  return row!.id;
}

export async function insertModel(sql: Sql, makeId: string, name: string, bodyType = 'SEDAN'): Promise<string> {
  const [row] = await sql`
    insert into catalog.models (make_id, name, body_type) values (${makeId}, ${name}, ${bodyType}) returning id`;
  return row!.id;
}

export async function insertGeneration(
  sql: Sql,
  modelId: string,
  name: string,
  yearFrom: number,
  yearTo: number | null = null,
): Promise<string> {
  const [row] = await sql`
    insert into catalog.generations (model_id, name, year_from, year_to)
    values (${modelId}, ${name}, ${yearFrom}, ${yearTo}) returning id`;
  return row!.id;
}
