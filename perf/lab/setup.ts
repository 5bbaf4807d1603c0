import type { Scenario } from '../scenarios';
import { documentHash, type RequestContext } from './requests';

export interface Target {
  gatewayUrl: string;
  /** Needed only for persisted operations (the documents are registered as trusted documents). */
  registry?: { url: string; token?: string; target: string };
}

async function graphql(url: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'graphql-client-name': 'autograph-perf' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (!response.ok || body.errors)
    throw new Error(
      `setup query failed (HTTP ${response.status}): ${JSON.stringify(body.errors ?? body).slice(0, 300)}`,
    );
  return body.data;
}

/**
 * Everything a scenario needs before the load: id pools from the live data, registered users
 * with access tokens, and its persisted documents stored in the registry. Runs once, unmeasured.
 */
export async function prepareScenario(scenario: Scenario, target: Target): Promise<RequestContext> {
  const pools: Record<string, string[]> = {};
  for (const [name, pool] of Object.entries(scenario.pools ?? {})) {
    pools[name] = pool.extract(await graphql(target.gatewayUrl, pool.query));
    if (!pools[name]!.length)
      throw new Error(`scenario ${scenario.name}: pool "${name}" is empty (is the database seeded?)`);
  }
  const tokens: string[] = [];
  const run = `${Date.now().toString(36)}`;
  for (let i = 0; i < (scenario.users ?? 0); i++) {
    const data = await graphql(
      target.gatewayUrl,
      'mutation Register($input: RegisterInput!) { register(input: $input) { accessToken } }',
      {
        input: {
          email: `perf-${run}-${i}@perf.autograph.dev`,
          password: 'perf-password-123',
          name: `Perf user ${i}`,
          city: 'Kazan',
          kind: 'PRIVATE',
        },
      },
    );
    tokens.push(data.register.accessToken);
  }
  const persisted = scenario.operations.filter((operation) => operation.persisted);
  if (persisted.length) {
    if (!target.registry)
      throw new Error(
        `scenario ${scenario.name} sends persisted documents: it needs the registry (REGISTRY_URL, REGISTRY_TOKEN)`,
      );
    const response = await fetch(`${target.registry.url}/v1/targets/${target.registry.target}/documents`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(target.registry.token ? { authorization: `Bearer ${target.registry.token}` } : {}),
      },
      body: JSON.stringify({
        client: 'autograph-perf',
        documents: persisted.map((operation) => ({ hash: documentHash(operation.query), document: operation.query })),
      }),
    });
    if (!response.ok)
      throw new Error(
        `registering persisted documents failed: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`,
      );
  }
  return { pools, tokens };
}
