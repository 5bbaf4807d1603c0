import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createRegistryClient } from '../../schema-registry/client';
import { startRegistry } from '../../schema-registry/server';
import { eventually, gql } from '../../tests/support/graphql';
import { createTempDatabase } from '../../tests/support/temp-database';
import { createTestIssuer } from '../../tests/support/tokens';
import { startGateway } from '../server';
import { registryGatewayOptions } from './registry-gateway';

// A gateway answering introspection needs no subgraph running: the schema it serves is the point.
const logger = createLogger('gateway-contract-test', 'silent');
const TOKEN = 'gateway-contract-test-token';
const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@tag"])
type User @key(fields: "id") { id: ID! name: String! roles: [String!]! @tag(name: "internal") }
type Query { user(id: ID!): User }
type Mutation { banUser(id: ID!): Boolean! @tag(name: "internal") rename(id: ID!, name: String!): User }`;

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let issuer: Awaited<ReturnType<typeof createTestIssuer>>;
let registry: RunningService;
const gateways: RunningService[] = [];

async function gateway(env: Record<string, string> = {}) {
  const options = registryGatewayOptions({ url: registry.url, token: TOKEN }, issuer, env);
  const service = await startGateway(options, logger);
  gateways.push(service);
  await eventually(async () => (await fetch(`${service.url}/readiness`)).ok, 10_000);
  return service;
}

const fieldsOf = async (url: string, type: string) => {
  const response = await gql(url, `{ __type(name: "${type}") { fields { name } } }`);
  return (response.data?.__type?.fields ?? []).map((f: { name: string }) => f.name).sort();
};

beforeAll(async () => {
  database = await createTempDatabase('gateway_contract');
  issuer = await createTestIssuer();
  registry = await startRegistry({ port: 0, databaseUrl: database.url, adminToken: TOKEN, targets: ['main'], logger });
  const client = createRegistryClient({ registryUrl: registry.url, target: 'main', token: TOKEN });
  await client.publishSubgraph({ name: 'users', url: 'http://127.0.0.1:9/graphql', sdl: SDL });
  await client.createContract({ name: 'public', excludeTags: ['internal'] });
}, 60_000);

afterAll(async () => {
  for (const service of gateways) await service.stop();
  await registry?.stop();
  issuer?.stop();
  await database?.drop();
});

test('REGISTRY_CONTRACT serves the contract: internal fields are not in its API', async () => {
  const full = await gateway();
  const contract = await gateway({ REGISTRY_CONTRACT: 'public' });
  expect(await fieldsOf(full.url, 'Mutation')).toEqual(['banUser', 'rename']);
  expect(await fieldsOf(full.url, 'User')).toEqual(['id', 'name', 'roles']);
  expect(await fieldsOf(contract.url, 'Mutation')).toEqual(['rename']);
  expect(await fieldsOf(contract.url, 'User')).toEqual(['id', 'name']);
  const refused = await gql(contract.url, 'mutation { banUser(id: "1") }');
  expect(refused.errors?.[0]?.message).toContain('banUser');
});

test('a gateway asking for a contract that does not exist is not ready', async () => {
  const options = registryGatewayOptions({ url: registry.url, token: TOKEN }, issuer, { REGISTRY_CONTRACT: 'nope' });
  const service = await startGateway(options, logger);
  gateways.push(service);
  expect((await fetch(`${service.url}/readiness`)).status).toBe(503);
});
