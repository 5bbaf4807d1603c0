import {
  createGatewayRuntime,
  useCustomFetch,
  type GatewayConfig,
  type GatewayPlugin,
  type GatewayRuntime,
} from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { GraphQLError, parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { createLogger, type Logger } from '../../kit/log';
import { createRegistryClient } from '../../schema-registry/client';
import { buildSubgraphSchema, subgraphSdl, type SubgraphDefinition } from '../../tests/federation-oracle/subgraph';
import { mergeChain, type ChainDeps, type ChainPart } from '../chain';
import { readGatewayEnv, type GatewayOptions } from '../config';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics';

/**
 * Fast plugin tests: Hive Gateway (`createGatewayRuntime` with the Rust planner, as
 * gateway/runtime.ts configures it) over a supergraph composed from in-memory Yoga subgraphs
 * (built as the federation oracle builds them, without @apollo/subgraph), with subgraph calls
 * answered by `useCustomFetch`, as Hive Gateway's own `createGatewayTester` (packages/testing)
 * does: no port, no process, no database. Requests go through `gateway.fetch`, the real request
 * path of every hook. A test can make a subgraph fail, stall or answer anything (`intercept`) and
 * sees every call the gateway made to it (`calls`). The chain's concerns are built by their own
 * index from environment variables (`testOptions`, `testDeps`) and merged as gateway/runtime.ts
 * merges them.
 */

export type { SubgraphDefinition } from '../../tests/federation-oracle/subgraph';

/** The real subgraph's answer to a call, for interceptors that wrap it. */
export type SubgraphAnswer = (request: Request) => Promise<Response>;
/** Answers a subgraph call instead of the subgraph: return a Response, or throw for a network error. */
export type SubgraphInterceptor = (request: Request, answer: SubgraphAnswer) => Response | Promise<Response>;

export interface SubgraphCall {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  headers: Headers;
}

export interface InMemorySubgraph {
  readonly name: string;
  /** Every call the gateway made to this subgraph, in order (attempts the interceptor failed included). */
  readonly calls: SubgraphCall[];
  /** Replaces how the subgraph answers from now on; null restores the subgraph. */
  intercept: SubgraphInterceptor | null;
}

/** Ready-made interceptors. */
export const faults = {
  /** The connection is refused: fetch rejects, as it does for a subgraph that is down. */
  networkError: (): SubgraphInterceptor => () => {
    throw new TypeError('fetch failed: connect ECONNREFUSED 10.0.0.7:4001');
  },
  /** A proxy in front of the subgraph answers an HTML error page. */
  badGateway: (): SubgraphInterceptor => () =>
    new Response('<html><body>502 Bad Gateway</body></html>', {
      status: 502,
      headers: { 'content-type': 'text/html' },
    }),
  /** The subgraph answers after `ms` (or when the gateway aborts the call). */
  slow:
    (ms: number): SubgraphInterceptor =>
    async (request, answer) => {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        request.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(request.signal.reason ?? new DOMException('aborted', 'AbortError'));
        });
      });
      return answer(request);
    },
};

export interface InMemoryGatewayOptions {
  /** Default: `shopSubgraphs()`. */
  subgraphs?: SubgraphDefinition[];
  /** Chain parts built by a concern's index (`security(options, deps)`), merged as gateway/runtime.ts merges them. */
  parts?: ChainPart[];
  /** Plugins after the parts' ones. */
  plugins?: () => GatewayPlugin[];
  /** Further Hive Gateway settings, applied before the parts' own (which win on a clash). */
  config?: Partial<GatewayConfig<Record<string, any>>>;
  /** The client address the HTTP server would pass (rate-limit identity); default a TEST-NET address, never exempt. */
  remoteAddress?: string;
}

export interface GraphQLAnswer {
  status: number;
  headers: Headers;
  /** The response body as sent. */
  text: string;
  data?: any;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  operationName?: string;
  headers?: Record<string, string>;
  remoteAddress?: string;
}

export interface InMemoryGateway {
  /** The Hive Gateway runtime itself, for what a request cannot reach. */
  runtime: GatewayRuntime<Record<string, any>>;
  subgraph(name: string): InMemorySubgraph;
  /** One HTTP request through the parts' fast paths, then the runtime (as gateway/server.ts serves it). */
  fetch(path: string, init?: RequestInit, remoteAddress?: string): Promise<Response>;
  /** A GraphQL POST, answered as the client reads it. */
  graphql(query: string, options?: RequestOptions): Promise<GraphQLAnswer>;
  dispose(): Promise<void>;
}

/** TEST-NET-1: never an exempt address. */
const TEST_CLIENT_ADDRESS = '192.0.2.10';
const GATEWAY_URL = 'http://gateway.test';
const subgraphUrl = (name: string) => `http://${name}.subgraph.test/graphql`;

const supergraphs = new Map<string, string>();

/** The supergraph of these subgraphs (composed once per distinct set of SDLs). */
function composeSupergraph(definitions: SubgraphDefinition[]): string {
  const services = definitions.map((definition) => ({
    name: definition.name,
    url: subgraphUrl(definition.name),
    sdl: subgraphSdl(definition),
  }));
  const key = JSON.stringify(services);
  let supergraph = supergraphs.get(key);
  if (supergraph) return supergraph;
  const result = composeServices(services.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  if (compositionHasErrors(result))
    throw new Error(`composition failed:\n${result.errors.map((error) => error.message).join('\n')}`);
  supergraphs.set(key, (supergraph = result.supergraphSdl));
  return supergraph;
}

export function createInMemoryGateway(options: InMemoryGatewayOptions = {}): InMemoryGateway {
  const definitions = options.subgraphs ?? shopSubgraphs();
  const supergraph = composeSupergraph(definitions);
  const subgraphs = new Map<string, InMemorySubgraph & { yoga: ReturnType<typeof createYoga> }>();
  for (const definition of definitions) {
    const yoga = createYoga({
      schema: buildSubgraphSchema(definition),
      logging: false,
      landingPage: false,
      graphiql: false,
    });
    subgraphs.set(subgraphUrl(definition.name), { name: definition.name, calls: [], intercept: null, yoga });
  }

  const subgraphFetch = async (url: string, init?: RequestInit): Promise<Response> => {
    const subgraph = subgraphs.get(url);
    if (!subgraph) throw new Error(`no in-memory subgraph at ${url}`);
    const request = new Request(url, init);
    const body = (await request.clone().json()) as Omit<SubgraphCall, 'headers'>;
    subgraph.calls.push({
      query: body.query,
      variables: body.variables,
      operationName: body.operationName,
      headers: request.headers,
    });
    const answer: SubgraphAnswer = async (call) => subgraph.yoga.fetch(call);
    return subgraph.intercept ? subgraph.intercept(request, answer) : answer(request);
  };

  const parts = options.parts ?? [];
  const chain = mergeChain(parts);
  const runtime = createGatewayRuntime({
    supergraph,
    unifiedGraphHandler,
    logging: false,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthcheck',
    readinessCheckEndpoint: '/readiness',
    landingPage: false,
    ...options.config,
    ...chain.config,
    plugins: () => [
      useCustomFetch((url, init) => subgraphFetch(url, init as RequestInit)),
      ...chain.plugins(),
      ...(options.plugins?.() ?? []),
    ],
  } as GatewayConfig<Record<string, any>>);
  const fastPaths = parts.flatMap((part) => (part.fastPath ? [part.fastPath] : []));

  const gatewayFetch = async (
    path: string,
    init: RequestInit = {},
    remoteAddress = options.remoteAddress ?? TEST_CLIENT_ADDRESS,
  ) => {
    const request = new Request(`${GATEWAY_URL}${path}`, init);
    for (const fastPath of fastPaths) {
      const answer = await fastPath(request);
      if (answer) return answer;
    }
    return runtime.fetch(request, { remoteAddress });
  };

  return {
    runtime,
    subgraph(name) {
      const found = [...subgraphs.values()].find((subgraph) => subgraph.name === name);
      if (!found) throw new Error(`no subgraph named ${name}`);
      return found;
    },
    fetch: gatewayFetch,
    async graphql(query, request = {}) {
      const response = await gatewayFetch(
        '/graphql',
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...request.headers,
          },
          body: JSON.stringify({ query, variables: request.variables, operationName: request.operationName }),
        },
        request.remoteAddress,
      );
      return readAnswer(response);
    },
    async dispose() {
      await runtime[Symbol.asyncDispose]();
      for (const part of parts.toReversed()) await part.dispose?.();
    },
  };
}

/** A GraphQL response as the client reads it (the body kept as sent, for byte-for-byte comparisons). */
export async function readAnswer(response: Response): Promise<GraphQLAnswer> {
  const text = await response.text();
  let body: { data?: unknown; errors?: GraphQLAnswer['errors'] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the test reads `text`
  }
  return { status: response.status, headers: response.headers, text, data: body.data, errors: body.errors };
}

/** The `extensions.code` of each error. */
export const codesOf = (answer: GraphQLAnswer) => (answer.errors ?? []).map((error) => error.extensions?.code);

/** A logger whose lines the test can read. */
export function captureLogger(level = 'info'): { logger: Logger; lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  return {
    logger: createLogger('gateway-test', level, { write: (line: string) => void lines.push(JSON.parse(line)) }),
    lines,
  };
}

/** What a concern's index is built with: no Redis (in-memory stores), a registry nobody calls, metrics of its own. */
export function testDeps(overrides: Partial<ChainDeps> = {}): ChainDeps {
  return {
    logger: createLogger('gateway-test', 'silent'),
    metrics: createGatewayMetrics({ processMetrics: false }),
    redis: null,
    redisKeyPrefix: `autograph-test:in-memory:${process.pid}:${Math.random().toString(36).slice(2, 10)}:`,
    registry: createRegistryClient({ registryUrl: 'http://registry.invalid', target: 'main' }),
    production: false,
    fastPathHits: new Set(),
    ...overrides,
  };
}

/** The gateway's options from these environment variables only (never the test process's own). */
export const testOptions = (env: Record<string, string> = {}): GatewayOptions =>
  readGatewayEnv({ USAGE_REPORTING: 'off', LOG_LEVEL: 'silent', ...env });

/** A counter's or gauge's value in one gateway's registry, summed over the label sets that match `labels`. */
export async function metricValue(
  metrics: GatewayMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

/**
 * Two subgraphs of a small shop, with data of their own per call (tests do not share state):
 * - products: `product(id)`, `products(first)`, `renameProduct` (a mutation), protected fields
 *   (`secret` and `Product.cost` need a signed-in caller, `adminNote` the ADMIN role), `uncoded` (a subgraph error
 *   without a code, naming a host) and `coded` (a deliberate, coded error);
 * - reviews: `topReview` and `Product.reviews` (an entity field: a second hop).
 */
export function shopSubgraphs(): SubgraphDefinition[] {
  const products = new Map([
    ['1', { id: '1', name: 'Kettle', price: 30, cost: 12 }],
    ['2', { id: '2', name: 'Toaster', price: 45, cost: 20 }],
    ['3', { id: '3', name: 'Blender', price: 80, cost: 41 }],
  ]);
  const reviews = [
    { id: 'r1', productId: '1', body: 'Boils fast' },
    { id: 'r2', productId: '2', body: 'Even toast' },
  ];
  return [
    {
      name: 'products',
      typeDefs: /* GraphQL */ `
        type Query {
          product(id: ID!): Product
          products(first: Int = 10): [Product!]!
          secret: String @federation__authenticated
          adminNote: String @federation__requiresScopes(scopes: [["ADMIN"]])
          uncoded: String
          coded: String
        }
        type Mutation {
          renameProduct(id: ID!, name: String!): Product
        }
        type Product @key(fields: "id") {
          id: ID!
          name: String!
          price: Int!
          cost: Int @federation__authenticated
        }
      `,
      resolvers: {
        Query: {
          product: (_: unknown, { id }: { id: string }) => products.get(id) ?? null,
          products: (_: unknown, { first }: { first: number }) => [...products.values()].slice(0, first),
          secret: () => 'the secret',
          adminNote: () => 'for admins',
          uncoded: () => {
            throw new GraphQLError('connection to db-host-17.internal:5432 refused');
          },
          coded: () => {
            throw new GraphQLError('No such offer', { extensions: { code: 'NOT_FOUND' } });
          },
        },
        Mutation: {
          renameProduct: (_: unknown, { id, name }: { id: string; name: string }) => {
            const product = products.get(id);
            if (product) product.name = name;
            return product ?? null;
          },
        },
        Product: {
          __resolveReference: (reference: { id: string }) => products.get(reference.id) ?? null,
        },
      },
    },
    {
      name: 'reviews',
      typeDefs: /* GraphQL */ `
        type Query {
          topReview: Review
        }
        type Review {
          id: ID!
          body: String!
        }
        type Product @key(fields: "id") {
          id: ID!
          reviews: [Review!]!
        }
      `,
      resolvers: {
        Query: { topReview: () => reviews[0] },
        Product: { reviews: (product: { id: string }) => reviews.filter((review) => review.productId === product.id) },
      },
    },
  ];
}
