import type { OracleCase } from '../harness';

/**
 * Requests refused before any subgraph is asked. Variables that do not coerce: stock Hive gives
 * their errors no code, ours adds BAD_USER_INPUT and is otherwise the same (the cost estimate
 * reads coerced variables; a refused request is never cached). An operation type the supergraph
 * lacks fails in stock Hive's planner (HTTP 500, masked); ours refuses it at validation (400).
 */
export const requestCases: OracleCase[] = [
  {
    name: 'requests refused before any subgraph is asked',
    subgraphs: [
      {
        name: 'greetings',
        typeDefs: `type Query { greet(name: String!, times: Int = 1): [String!]! }`,
        resolvers: {
          Query: {
            greet: (_: unknown, args: { name: string; times: number }) =>
              Array.from({ length: args.times }, () => `hi ${args.name}`),
          },
        },
      },
    ],
    queries: [
      {
        name: 'a required variable left out',
        query: `query ($name: String!) { greet(name: $name) }`,
        expect: { data: null, errors: [{}], status: 200 },
        codeOursAdds: 'BAD_USER_INPUT',
      },
      {
        name: 'a variable of the wrong type',
        query: `query ($name: String!, $times: Int) { greet(name: $name, times: $times) }`,
        variables: { name: 'Ada', times: 'many' },
        expect: { data: null, errors: [{}], status: 200 },
        codeOursAdds: 'BAD_USER_INPUT',
      },
      {
        name: 'a subscription on a supergraph without subscriptions',
        query: `subscription { greet(name: "Ada") }`,
        expect: { data: null, errors: [{ code: 'INTERNAL_SERVER_ERROR' }], status: 500 },
        oursOnPurpose: {
          data: null,
          errors: [{ code: 'GRAPHQL_VALIDATION_FAILED' }],
          status: 400,
          why: "the client's mistake is a validation error, not an internal failure of the planner",
        },
      },
      {
        name: 'a defaulted variable sent as null where the argument has a default',
        query: `query ($times: Int = 2) { greet(name: "Ada", times: $times) }`,
        expect: { data: { greet: ['hi Ada', 'hi Ada'] } },
      },
    ],
  },
];
