import type { OracleCase } from '../harness';

/**
 * Not compared with the oracle: the case the "every concern is on" checks run on (oracle.test.ts).
 * Its queries: a cheap one, one whose estimated cost (200 x 200 cells) is above MAX_QUERY_COST,
 * and one that needs the second subgraph (which that check stops).
 */
const grid = (first: number) => Array.from({ length: first }, (_, i) => ({ row: i }));

export const chainCase: OracleCase = {
  name: 'chain',
  subgraphs: [
    {
      name: 'chain-a',
      typeDefs: `
        type Row { row: Int! cells(first: Int!): [Cell!]! }
        type Cell { value: Int! }
        type Thing @key(fields: "id") { id: ID! }
        type Query { hello: String! rows(first: Int!): [Row!]! thing: Thing! }
      `,
      resolvers: {
        Query: {
          hello: () => 'world',
          rows: (_: unknown, args: { first: number }) => grid(args.first),
          thing: () => ({ id: 't1' }),
        },
        Row: {
          cells: (row: { row: number }, args: { first: number }) =>
            Array.from({ length: args.first }, (_, i) => ({ value: row.row * 1000 + i })),
        },
      },
    },
    {
      name: 'chain-b',
      typeDefs: `type Thing @key(fields: "id") { id: ID! label: String! }`,
      resolvers: { Thing: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, label: `thing ${ref.id}` }) } },
    },
  ],
  queries: [
    { name: 'cheap', query: '{ hello }', expect: { data: { hello: 'world' } } },
    { name: 'too costly', query: '{ rows(first: 200) { row cells(first: 200) { value } } }', expect: { data: null } },
    {
      name: 'needs chain-b',
      query: '{ thing { id label } }',
      expect: { data: { thing: { id: 't1', label: 'thing t1' } } },
    },
  ],
};
