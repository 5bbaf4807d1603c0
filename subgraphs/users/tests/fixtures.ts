import type { Sql } from 'postgres';
import type { Role } from '../../framework';
import { startSubgraph } from '../../framework';
import { testSubgraphConfig } from '../../catalog/tests/fixtures';
import users from '..';

/**
 * For tests of subgraphs that write as a user (offers, reviews, catalog): a real users subgraph,
 * which their writes ask whether the account behind a token still exists and is active. Start it
 * first on the test database (it migrates the users schema), pass `usersUrl(service)` to the
 * subgraph under test, and insert the accounts its tokens name with `insertUser`.
 */
export const startUsers = (databaseUrl: string) => startSubgraph(users, testSubgraphConfig(databaseUrl));

export const usersUrl = (service: { url: string }) => `${service.url}/graphql`;

/** An account row as sign-up leaves it (the password is never checked in these tests). */
export async function insertUser(sql: Sql, options: { id?: string; roles?: Role[] } = {}): Promise<string> {
  const id = options.id ?? crypto.randomUUID();
  await sql`
    insert into users.users (id, email, password_hash, name, city, roles)
    values (${id}, ${`${id}@test.autograph.dev`}, 'not-a-hash', 'Test user', 'Kazan', ${`{${(options.roles ?? ['BUYER', 'SELLER']).join(',')}}`}::users.role[])`;
  return id;
}
