import postgres from 'postgres';
import { gql, type GraphQLResponse } from '../../../tests/support/graphql';
import { createTempDatabase } from '../../../tests/support/temp-database';
import { startSubgraph } from '../../framework';
import { testSubgraphConfig } from '../../catalog/tests/fixtures';
import users from '..';

const AUTH_FIELDS =
  'accessToken refreshToken expiresAt viewer { email roles user { id name kind } dealerApplication { id status } }';
const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation ($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`;
export const PASSWORD = 'long enough password';

export interface Account {
  email: string;
  accessToken: string;
  refreshToken: string;
  viewer: {
    email: string;
    roles: string[];
    user: { id: string; name: string; kind: string };
    dealerApplication: { id: string; status: string } | null;
  };
}

/**
 * A real users subgraph on a fresh database, with the identity variables in `env` (read from the
 * environment during setup, like every per-subgraph variable), and helpers to sign up and in.
 */
export async function startUsersStack(prefix: string, env: Record<string, string> = {}) {
  const database = await createTempDatabase(prefix);
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const service = await startSubgraph(users, testSubgraphConfig(database.url)).finally(() => {
    for (const name of Object.keys(env)) if (saved[name] === undefined) delete process.env[name];
    Object.assign(process.env, saved);
  });
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  let counter = 0;

  const query = <T = any>(
    text: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<GraphQLResponse<T>> => gql<T>(service.url, text, variables, { token });

  return {
    url: service.url,
    sql,
    query,
    async register(overrides: Record<string, unknown> = {}): Promise<Account> {
      const email = `${prefix}-${++counter}-${crypto.randomUUID().slice(0, 8)}@example.com`;
      const response = await query(REGISTER, {
        input: { email, password: PASSWORD, name: 'Anna', city: 'Kazan', ...overrides },
      });
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      return { email, ...response.data.register };
    },
    login: (email: string, password = PASSWORD) => query(LOGIN, { e: email, p: password }),
    refresh: (refreshToken: string) => query(REFRESH, { t: refreshToken }),
    /** A new account holding `roles` (granted in the table, as there is no API for it), signed in again so its token carries them. */
    async withRoles(roles: string[]): Promise<Account> {
      const account = await this.register();
      await sql`update users.users set roles = ${`{${roles.join(',')}}`}::users.role[] where id = ${account.viewer.user.id}`;
      const login = await this.login(account.email);
      if (login.errors) throw new Error(JSON.stringify(login.errors));
      return { email: account.email, ...login.data.login };
    },
    async stop() {
      await sql.end();
      await service.stop();
      await database.drop();
    },
  };
}

export type UsersStack = Awaited<ReturnType<typeof startUsersStack>>;

/** The claims of a JWT, unverified (the tests read what the subgraph issued). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}
