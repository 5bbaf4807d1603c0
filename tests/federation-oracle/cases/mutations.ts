import { GraphQLError } from 'graphql';
import type { OracleCase } from '../harness';

/**
 * Mutations run one after the other, in document order, even across subgraphs. Both subgraphs
 * change one shared total and log each call; a different order gives a different total and log.
 * The state is reset before each execution (oracle, ours cold, ours warm).
 */
const state = { total: 0, log: [] as string[] };
const step = (name: string, apply: (total: number) => number) => {
  state.total = apply(state.total);
  state.log.push(name);
  return { seq: state.log.length, total: state.total, log: [...state.log] };
};

const notes = new Map<string, { id: string; text: string }>();

export const mutationCases: OracleCase[] = [
  {
    name: 'mutations executed in order across two subgraphs',
    reset: () => {
      state.total = 0;
      state.log = [];
    },
    subgraphs: [
      {
        name: 'adder',
        typeDefs: `
          type Step @shareable { seq: Int! total: Int! log: [String!]! }
          type Query { total: Int! }
          type Mutation { add(n: Int!): Step! }
        `,
        resolvers: {
          Query: { total: () => state.total },
          Mutation: { add: (_: unknown, args: { n: number }) => step(`add ${args.n}`, (total) => total + args.n) },
        },
      },
      {
        name: 'multiplier',
        typeDefs: `
          type Step @shareable { seq: Int! total: Int! log: [String!]! }
          type Mutation { times(n: Int!): Step! }
        `,
        resolvers: {
          Mutation: { times: (_: unknown, args: { n: number }) => step(`times ${args.n}`, (total) => total * args.n) },
        },
      },
    ],
    queries: [
      {
        name: 'add, times, add, times with aliases',
        query: `mutation ($a: Int!, $b: Int!) { first: add(n: $a) { seq total } second: times(n: $b) { seq total } third: add(n: 1) { seq total } fourth: times(n: 10) { seq total log } }`,
        variables: { a: 2, b: 3 },
        expect: {
          data: {
            first: { seq: 1, total: 2 },
            second: { seq: 2, total: 6 },
            third: { seq: 3, total: 7 },
            fourth: { seq: 4, total: 70, log: ['add 2', 'times 3', 'add 1', 'times 10'] },
          },
        },
      },
    ],
  },
  {
    name: 'mutation returning an entity completed by another subgraph',
    reset: () => notes.clear(),
    subgraphs: [
      {
        name: 'notes',
        typeDefs: `
          type Note @key(fields: "id") { id: ID! text: String! }
          type Query { note(id: ID!): Note }
          type Mutation { createNote(text: String!): Note! }
        `,
        resolvers: {
          Query: { note: (_: unknown, args: { id: string }) => notes.get(args.id) ?? null },
          Mutation: {
            createNote: (_: unknown, args: { text: string }) => {
              const note = { id: `n${notes.size + 1}`, text: args.text };
              notes.set(note.id, note);
              return note;
            },
          },
        },
      },
      {
        name: 'wordcount',
        typeDefs: `type Note @key(fields: "id") { id: ID! words: Int! }`,
        resolvers: {
          Note: {
            __resolveReference: (ref: { id: string }) => ({
              id: ref.id,
              words: notes.get(ref.id)?.text.split(' ').length ?? 0,
            }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'two creations, then fields from the second subgraph',
        query: `mutation { a: createNote(text: "hello federated world") { id text words } b: createNote(text: "bye") { id words __typename } }`,
        expect: {
          data: {
            a: { id: 'n1', text: 'hello federated world', words: 3 },
            b: { id: 'n2', words: 1, __typename: 'Note' },
          },
        },
      },
    ],
  },
  {
    name: 'a failing mutation does not stop the ones after it',
    reset: () => {
      state.total = 0;
      state.log = [];
    },
    subgraphs: [
      {
        name: 'steps',
        typeDefs: `
          type Step @shareable { seq: Int! total: Int! log: [String!]! }
          type Mutation { add(n: Int!): Step fail: Step }
          type Query { total: Int! }
        `,
        resolvers: {
          Query: { total: () => state.total },
          Mutation: {
            add: (_: unknown, args: { n: number }) => step(`add ${args.n}`, (total) => total + args.n),
            fail: () => {
              state.log.push('fail');
              throw new GraphQLError('refused on purpose', { extensions: { code: 'REFUSED' } });
            },
          },
        },
      },
      {
        name: 'doubler',
        typeDefs: `
          type Step @shareable { seq: Int! total: Int! log: [String!]! }
          type Mutation { double: Step! }
        `,
        resolvers: { Mutation: { double: () => step('double', (total) => total * 2) } },
      },
    ],
    queries: [
      {
        name: 'add, fail, double, add',
        query: `mutation { a: add(n: 5) { total } b: fail { total } c: double { total } d: add(n: 1) { seq total log } }`,
        expect: {
          data: {
            a: { total: 5 },
            b: null,
            c: { total: 10 },
            d: { seq: 4, total: 11, log: ['add 5', 'fail', 'double', 'add 1'] },
          },
          errors: [{ path: ['b'], code: 'REFUSED' }],
        },
      },
    ],
  },
];
