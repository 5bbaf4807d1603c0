import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { createLogger } from '../../../kit/log';
import type { Role } from '../../../subgraphs/framework/auth';
import { eventually, gql } from '../../../tests/support/graphql';
import { getSystem } from '../../../tests/support/system';
import { readGatewayEnv } from '../../config';
import { startGateway } from '../../server';
import { newUser, testGatewayEnv } from '../harness';

/**
 * A registered user holding exactly `roles`: roles are granted in users.users (there is no API
 * for it) and the user signs in again, so the access token carries them as in production.
 */
export async function userWithRoles(
  roles: Role[],
  label = roles.join('-').toLowerCase() || 'no-role',
): Promise<{ id: string; token: string }> {
  const system = await getSystem();
  const user = await newUser(label);
  const sql = postgres(system.databaseUrl, { max: 1 });
  try {
    await sql`update users.users set roles = ${`{${roles.join(',')}}`}::users.role[] where id = ${user.id}`;
  } finally {
    await sql.end();
  }
  const login = await gql(
    system.subgraphUrls.users,
    'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    {
      e: user.email,
      p: 'correct horse battery staple',
    },
  );
  if (login.errors) throw new Error(`login failed: ${JSON.stringify(login.errors)}`);
  return { id: user.id, token: login.data.login.accessToken };
}

/** A GraphQL request as raw HTTP, for the cases `gql` normalises away (GET, other content types, status only). */
export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * A gateway in this process whose log lines the test can read (the harness's gateways log
 * nowhere). Stop it with the returned `stop`.
 */
export async function startLoggedGateway(env: Record<string, string | undefined> = {}) {
  const lines: Record<string, any>[] = [];
  const logger = createLogger('gateway-test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const service = await startGateway(readGatewayEnv(await testGatewayEnv({ LOG_LEVEL: 'info', ...env })), logger);
  await eventually(async () => (await fetch(`${service.url}/readiness`)).ok, 30_000, 50);
  return { url: service.url, lines, stop: () => service.stop() };
}

/** Publishes trusted documents to the shared registry's `main` target; returns each document's SHA-256 id. */
export async function publishDocuments(client: string, documents: string[]): Promise<string[]> {
  const system = await getSystem();
  const hashes = documents.map((document) => createHash('sha256').update(document).digest('hex'));
  const response = await fetch(`${system.registryUrl}/v1/targets/main/documents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${system.registryToken}` },
    body: JSON.stringify({ client, documents: documents.map((document, i) => ({ hash: hashes[i], document })) }),
  });
  if (!response.ok) throw new Error(`registry refused documents: ${response.status} ${await response.text()}`);
  return hashes;
}
