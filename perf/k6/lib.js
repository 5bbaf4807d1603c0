// The runtime every generated script in this folder shares (k6, not Bun): setup (id pools, users,
// persisted documents in the registry) and the per-iteration request, mirroring perf/lab/requests.ts.
import http from 'k6/http';
import crypto from 'k6/crypto';
import { Rate } from 'k6/metrics';

const GATEWAY_URL = __ENV.GATEWAY_URL || 'http://127.0.0.1:4000';
const REGISTRY_URL = __ENV.REGISTRY_URL || 'http://127.0.0.1:4010';
const REGISTRY_TOKEN = __ENV.REGISTRY_TOKEN || '';
const failures = new Rate('graphql_failures');

function graphql(query, variables, token) {
  const headers = { 'content-type': 'application/json', 'graphql-client-name': 'autograph-k6' };
  if (token) headers.authorization = 'Bearer ' + token;
  const response = http.post(GATEWAY_URL + '/graphql', JSON.stringify({ query, variables: variables || {} }), { headers });
  const body = JSON.parse(String(response.body));
  if (response.status !== 200 || body.errors) throw new Error('setup query failed: ' + response.body);
  return body.data;
}

function isFailure(response, expectedErrors) {
  if (response.status < 200 || response.status >= 300) return true;
  if (!response.body || String(response.body).indexOf('"errors"') < 0) return false;
  try {
    const errors = JSON.parse(String(response.body)).errors || [];
    return errors.some((error) => expectedErrors.indexOf((error.extensions || {}).code || '') < 0);
  } catch (e) {
    return true;
  }
}

/**
 * @param {{ users: number, operations: { name: string, weight: number, query: string, auth: boolean, persisted: boolean, expectedErrors: string[], variables: (context: any) => object, hash?: string }[], pools: Record<string, { query: string, extract: (data: any) => string[] }> }} scenario
 */
export function scenario({ users, operations, pools }) {
  for (const operation of operations) operation.hash = crypto.sha256(operation.query, 'hex');
  const totalWeight = operations.reduce((sum, operation) => sum + operation.weight, 0);
  let sequence = 0;
  // Each VU runs this once: with the time and a random part its requests' keys are unique across VUs and runs.
  const keyPrefix = 'k6-' + Date.now().toString(36) + '-' + Math.floor(Math.random() * 2147483647).toString(36);

  function setup() {
    const pooled = {};
    for (const name of Object.keys(pools)) pooled[name] = pools[name].extract(graphql(pools[name].query));
    const tokens = [];
    const run = Date.now().toString(36);
    for (let i = 0; i < users; i++) {
      const input = { email: 'k6-' + run + '-' + i + '@perf.autograph.dev', password: 'perf-password-123', name: 'Perf user ' + i, city: 'Kazan', kind: 'PRIVATE' };
      tokens.push(graphql('mutation Register($input: RegisterInput!) { register(input: $input) { accessToken } }', { input }).register.accessToken);
    }
    const persisted = operations.filter((operation) => operation.persisted);
    if (persisted.length) {
      const response = http.post(
        REGISTRY_URL + '/v1/targets/main/documents',
        JSON.stringify({ client: 'autograph-k6', documents: persisted.map((operation) => ({ hash: operation.hash, document: operation.query })) }),
        { headers: { 'content-type': 'application/json', authorization: 'Bearer ' + REGISTRY_TOKEN } },
      );
      if (response.status >= 300) throw new Error('registering persisted documents failed: ' + response.body);
    }
    return { pools: pooled, tokens };
  }

  function choose() {
    let roll = Math.random() * totalWeight;
    for (const operation of operations) {
      roll -= operation.weight;
      if (roll < 0) return operation;
    }
    return operations[operations.length - 1];
  }

  function run(data) {
    const operation = choose();
    const n = __VU * 1000000 + sequence++;
    const context = {
      pick: (list) => list[Math.floor(Math.random() * list.length)],
      int: (min, max) => min + Math.floor(Math.random() * (max - min + 1)),
      pools: data.pools,
      sequence: n,
      requestKey: keyPrefix + '-' + n,
    };
    const variables = operation.variables(context);
    const headers = { accept: 'application/graphql-response+json, application/json', 'graphql-client-name': 'autograph-k6' };
    if (operation.auth) headers.authorization = 'Bearer ' + data.tokens[n % data.tokens.length];
    let response;
    if (operation.persisted) {
      let url = GATEWAY_URL + '/graphql?extensions=' + encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: operation.hash } }));
      if (Object.keys(variables).length) url += '&variables=' + encodeURIComponent(JSON.stringify(variables));
      response = http.get(url, { headers: Object.assign({ 'x-graphql-csrf': '1' }, headers), tags: { operation: operation.name } });
    } else {
      headers['content-type'] = 'application/json';
      response = http.post(GATEWAY_URL + '/graphql', JSON.stringify({ query: operation.query, variables }), { headers, tags: { operation: operation.name } });
    }
    failures.add(isFailure(response, operation.expectedErrors), { operation: operation.name });
  }

  return { setup, run };
}
