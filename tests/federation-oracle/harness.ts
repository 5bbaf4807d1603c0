import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { startOracle, startOurs, type Gateway, type SideServices } from './gateways';
import { startSubgraph, type RunningSubgraph, type SubgraphDefinition } from './subgraph';

/**
 * Differential testing: every query of a case runs through stock Hive Gateway (the oracle) once
 * and through our gateway twice (cold, then warm: the second may come from the response cache).
 * Our answers must equal the oracle's in HTTP status, data, and each error's path and code
 * (messages may differ: ours masks unexpected ones). The oracle's answer is first checked
 * against what the case expects, so a broken fixture cannot pass by being equally wrong on both.
 */

export interface ExpectedError {
  path?: (string | number)[];
  code?: string;
}

export interface OracleQuery {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** For documents with several operations. */
  operationName?: string;
  /** The answer the oracle must give (status defaults to 200, errors to none). */
  expect: { data: unknown; errors?: ExpectedError[]; status?: number };
  /**
   * Every error of ours carries `extensions.code`; where stock Hive gives an error none, ours must
   * give this one (and otherwise the same answer).
   */
  codeOursAdds?: string;
  /** Where ours answers differently on purpose (stated in the case): the answer ours must give instead. */
  oursOnPurpose?: { data: unknown; errors?: ExpectedError[]; status?: number; why: string };
}

export interface OracleCase {
  name: string;
  subgraphs: SubgraphDefinition[];
  queries: OracleQuery[];
  /** Runs before each execution (oracle, ours cold, ours warm): resets what mutations change. */
  reset?: () => void;
}

/** What is compared: status, data, and errors as sorted (path, code) pairs. */
export interface Answer {
  status: number;
  data: unknown;
  errors: ExpectedError[];
}

export interface Execution {
  oracle: Answer;
  cold: Answer;
  warm: Answer;
  /** Our warm answer came from the response cache (`x-cache: HIT`). */
  warmHit: boolean;
  /** The response bodies as received (messages included), for ORACLE_DEBUG. */
  bodies: { oracle: unknown; cold: unknown; warm: unknown };
}

export interface RunningCase {
  /** The composed supergraph both gateways serve. */
  supergraph: string;
  oracle: Gateway;
  ours: Gateway;
  subgraphs: RunningSubgraph[];
  execute(query: OracleQuery): Promise<Execution>;
  stop(): Promise<void>;
}

function composeSupergraph(subgraphs: RunningSubgraph[]): string {
  const result = composeServices(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  if (compositionHasErrors(result))
    throw new Error(`composition failed:\n${result.errors.map((error) => error.message).join('\n')}`);
  return result.supergraphSdl;
}

export async function startCase(definition: OracleCase, side: SideServices): Promise<RunningCase> {
  const subgraphs = definition.subgraphs.map(startSubgraph);
  const stopSubgraphs = () => Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  let oracle: Gateway | undefined;
  try {
    const supergraph = composeSupergraph(subgraphs);
    oracle = startOracle(supergraph);
    const ours = await startOurs(supergraph, side);
    const run = async (url: string, query: OracleQuery) => {
      definition.reset?.();
      return post(url, query);
    };
    return {
      supergraph,
      oracle,
      ours,
      subgraphs,
      async execute(query) {
        const oracleAnswer = await run(oracle!.url, query);
        const cold = await run(ours.url, query);
        // Our cache stores a response after sending it: a moment lets the warm run find it.
        await Bun.sleep(20);
        const warm = await run(ours.url, query);
        return {
          oracle: oracleAnswer.answer,
          cold: cold.answer,
          warm: warm.answer,
          warmHit: warm.headers.get('x-cache') === 'HIT',
          bodies: { oracle: oracleAnswer.body, cold: cold.body, warm: warm.body },
        };
      },
      // Idempotent: a test may stop the case early (to flush our spans); afterAll stops it again.
      stop: once(async () => {
        await Promise.all([oracle!.stop(), ours.stop()]);
        await stopSubgraphs();
      }),
    };
  } catch (error) {
    await oracle?.stop();
    await stopSubgraphs();
    throw error;
  }
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}

/** POSTs the query as a browser-less client would, and reduces the response to what is compared. */
export async function post(
  url: string,
  query: OracleQuery,
  headers: Record<string, string> = {},
): Promise<{ answer: Answer; headers: Headers; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...headers,
    },
    body: JSON.stringify({
      query: query.query,
      variables: query.variables ?? {},
      ...(query.operationName ? { operationName: query.operationName } : {}),
    }),
  });
  const text = await response.text();
  let body: { data?: unknown; errors?: { path?: (string | number)[]; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url} answered ${response.status} with no JSON: ${text.slice(0, 200)}`);
  }
  const errors = (body.errors ?? []).map((error) => ({ path: error.path, code: error.extensions?.code }));
  return {
    answer: { status: response.status, data: body.data ?? null, errors: sortErrors(errors) },
    headers: response.headers,
    body,
  };
}

/** Errors in a stable order, without undefined members (so expected and received compare alike). */
function sortErrors(errors: ExpectedError[]): ExpectedError[] {
  const key = (error: ExpectedError) => `${JSON.stringify(error.path ?? null)} ${error.code ?? ''}`;
  return errors
    .map((error) => ({ ...(error.path ? { path: error.path } : {}), ...(error.code ? { code: error.code } : {}) }))
    .sort((a, b) => key(a).localeCompare(key(b)));
}

/** The oracle's answer as ours must give it: uncoded errors carry the code ours adds. */
export function withCodeOursAdds(answer: Answer, code: string | undefined): Answer {
  if (!code) return answer;
  return { ...answer, errors: sortErrors(answer.errors.map((error) => ({ ...error, code: error.code ?? code }))) };
}

/** The answer a query's fixture expects from the oracle. */
export const expectedAnswer = (query: OracleQuery): Answer => ({
  status: query.expect.status ?? 200,
  data: query.expect.data,
  errors: sortErrors(query.expect.errors ?? []),
});
