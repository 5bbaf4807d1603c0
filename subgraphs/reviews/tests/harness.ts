import postgres from 'postgres';
import { gql } from '../../../tests/support/graphql';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { createTestIssuer } from '../../../tests/support/tokens';
import { readCounter } from '../../../tests/support/graphql';
import { startSubgraph } from '../../framework';
import { insertMake, insertModel, startCatalog, testSubgraphConfig } from '../../catalog/tests/fixtures';
import { insertUser, startUsers, usersUrl } from '../../users/tests/fixtures';
import reviews from '..';

/**
 * A real catalog, users and reviews subgraph on one fresh database (separate schemas), with a
 * test token issuer whose JWKS reviews verifies against. `modelIds` are real catalog models;
 * `signUp` makes an account (a row in users.users, which reviews asks about before a write) and
 * returns its id.
 */
export async function startReviewsStack(prefix: string, modelCount: number) {
  const database = await createTempDatabase(prefix);
  const issuer = await createTestIssuer();
  const catalog = await startCatalog(database.url);
  const users = await startUsers(database.url);
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const makeId = await insertMake(sql, 'Toyota');
  const modelIds: string[] = [];
  for (let i = 0; i < modelCount; i++) modelIds.push(await insertModel(sql, makeId, `Model ${i}`));

  // CATALOG_URL is read from the environment during setup, like every per-subgraph variable.
  const previous = process.env.CATALOG_URL;
  process.env.CATALOG_URL = `${catalog.url}/graphql`;
  const service = await startSubgraph(
    reviews,
    testSubgraphConfig(database.url, { jwksUrl: issuer.jwksUrl, usersUrl: usersUrl(users) }),
  ).finally(() => {
    if (previous === undefined) delete process.env.CATALOG_URL;
    else process.env.CATALOG_URL = previous;
  });

  return {
    url: service.url,
    sql,
    issuer,
    modelIds,
    query: (text: string, variables?: Record<string, unknown>, token?: string) =>
      gql(service.url, text, variables, { token }),
    signUp: (id?: string) => insertUser(sql, { id }),
    statements: () => readCounter(`${service.url}/metrics`, 'autograph_sql_statements_total', { service: 'reviews' }),
    async stop() {
      await sql.end();
      await service.stop();
      await users.stop();
      await catalog.stop();
      issuer.stop();
      await database.drop();
    },
  };
}

export type ReviewsStack = Awaited<ReturnType<typeof startReviewsStack>>;

export const ADD_REVIEW = /* GraphQL */ `
  mutation ($input: AddReviewInput!) {
    addReview(input: $input) { id rating text createdAt author { id } model { id } }
  }
`;

/**
 * Inserts a review and keeps the rating summary in step, as addReview does, at a chosen time.
 * The time goes in as text: postgres.js would send a timestamptz parameter through a JS Date,
 * dropping the microseconds the pagination tests depend on.
 */
export async function insertReview(
  sql: postgres.Sql,
  review: { modelId: string; authorId?: string; rating?: number; createdAt: string; id?: string },
): Promise<string> {
  const id = review.id ?? crypto.randomUUID();
  const rating = review.rating ?? 4;
  await sql.begin(async (tx) => {
    await tx`
      insert into reviews.reviews (id, model_id, author_id, rating, text, created_at)
      values (${id}, ${review.modelId}, ${review.authorId ?? crypto.randomUUID()}, ${rating}, 'A fine car, would buy again', ${review.createdAt}::text::timestamptz)`;
    await tx`
      insert into reviews.model_ratings (model_id, count, sum) values (${review.modelId}, 1, ${rating})
      on conflict (model_id) do update set count = model_ratings.count + 1, sum = model_ratings.sum + excluded.sum`;
  });
  return id;
}
