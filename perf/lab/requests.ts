import { createHash, randomUUID } from 'node:crypto';
import type { Operation, Scenario, VariableContext } from '../scenarios';

export interface PreparedRequest {
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  expectedErrors: string[];
}

export interface RequestContext {
  pools: Record<string, string[]>;
  /** Access tokens of the users registered for `auth` operations. */
  tokens: string[];
  random?: () => number;
}

export const documentHash = (query: string) => createHash('sha256').update(query).digest('hex');

export interface RequestSourceOptions {
  /**
   * Each operation's variables are drawn once and then sent on every request: the old way of
   * load testing, which lets the gateway deduplicate concurrent identical subgraph requests.
   * `bun perf compare` runs it next to the varied load to show how much that inflates a figure.
   */
  identical?: boolean;
}

/**
 * Turns a scenario into a stream of concrete HTTP requests: operations drawn by weight, variables
 * from the scenario's generators (a fresh draw per request, unless `identical`), tokens
 * round-robin, persisted operations as hash-only GETs (Apollo's `extensions.persistedQuery`, what
 * CDNs and mobile clients send).
 */
export function createRequestSource(scenario: Scenario, context: RequestContext, options: RequestSourceOptions = {}) {
  const random = context.random ?? Math.random;
  const total = scenario.operations.reduce((sum, operation) => sum + operation.weight, 0);
  if (!(total > 0)) throw new Error(`scenario ${scenario.name} has no operation with a positive weight`);
  const hashes = new Map(scenario.operations.map((operation) => [operation, documentHash(operation.query)]));
  let sequence = 0;
  // This source's requests' keys: unique across sources and runs (sequences restart at 0 in each).
  const keyPrefix = `perf-${randomUUID()}`;
  const frozen = new Map<Operation, Record<string, unknown>>();
  const variablesOf = (operation: Operation, n: number) => {
    if (!options.identical) return operation.variables?.(variableContext(n)) ?? {};
    let variables = frozen.get(operation);
    if (!variables) frozen.set(operation, (variables = operation.variables?.(variableContext(n)) ?? {}));
    return variables;
  };
  const variableContext = (n: number): VariableContext => ({
    pick: (list) => {
      if (!list?.length) throw new Error(`scenario ${scenario.name}: a variables generator picked from an empty pool`);
      return list[Math.floor(random() * list.length)]!;
    },
    int: (min, max) => min + Math.floor(random() * (max - min + 1)),
    pools: context.pools,
    sequence: n,
    requestKey: `${keyPrefix}-${n}`,
  });

  function choose(): Operation {
    let roll = random() * total;
    for (const operation of scenario.operations) {
      roll -= operation.weight;
      if (roll < 0) return operation;
    }
    return scenario.operations[scenario.operations.length - 1]!;
  }

  return function next(): PreparedRequest {
    const n = sequence++;
    const operation = choose();
    const variables = variablesOf(operation, n);
    const headers: Record<string, string> = {
      accept: 'application/graphql-response+json, application/json',
      'graphql-client-name': 'autograph-perf',
    };
    if (operation.auth) {
      if (!context.tokens.length)
        throw new Error(`scenario ${scenario.name}: operation ${operation.name} needs users (set "users")`);
      headers.authorization = `Bearer ${context.tokens[n % context.tokens.length]}`;
    }
    const expectedErrors = operation.expectedErrors ?? [];
    if (operation.persisted) {
      const params = new URLSearchParams({
        extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hashes.get(operation)! } }),
      });
      if (Object.keys(variables).length) params.set('variables', JSON.stringify(variables));
      // GETs carry a CSRF-prevention header, as browsers' fetch clients for persisted queries do.
      return {
        operation: operation.name,
        method: 'GET',
        path: `/graphql?${params}`,
        headers: { ...headers, 'x-graphql-csrf': '1' },
        expectedErrors,
      };
    }
    headers['content-type'] = 'application/json';
    return {
      operation: operation.name,
      method: 'POST',
      path: '/graphql',
      headers,
      body: JSON.stringify({ query: operation.query, variables }),
      expectedErrors,
    };
  };
}

/**
 * Whether a response counts as a failure: any HTTP error, or any GraphQL error whose code the
 * operation does not expect. Bodies without `"errors"` are not parsed (cheap at 30k RPS).
 */
export function isFailure(status: number, body: string, expectedErrors: string[]): boolean {
  if (status < 200 || status >= 300) return true;
  if (!body.includes('"errors"')) return false;
  try {
    const parsed = JSON.parse(body) as { errors?: { extensions?: { code?: string } }[] };
    return (parsed.errors ?? []).some((error) => !expectedErrors.includes(error.extensions?.code ?? ''));
  } catch {
    return true;
  }
}
