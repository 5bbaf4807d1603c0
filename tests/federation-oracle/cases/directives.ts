import type { OracleCase } from '../harness';

/**
 * @include/@skip driven by variables — sent, or left to the operation's defaults — and list sizes
 * (`first: $n`) from defaults. Our cost estimate must read defaults as execution does: a defaulted
 * `false` leaves a costly branch out, a defaulted `first` bounds a list.
 */

const grid = (first: number) => Array.from({ length: first }, (_, row) => ({ row }));
const cells = (row: number, first: number) => Array.from({ length: first }, (_, i) => ({ value: row * 1000 + i }));
const tree = (base: number, first: number) => Array.from({ length: first }, (_, i) => ({ value: base + i }));

const subgraphs: OracleCase['subgraphs'] = [
  {
    name: 'grid',
    typeDefs: `
      type Row @key(fields: "row") { row: Int! cells(first: Int = 3): [Cell!]! }
      type Cell { value: Int! }
      type Tree { value: Int! children(first: Int!): [Tree!]! }
      type Query { hello: String! rows(first: Int!): [Row!]! trees(first: Int!): [Tree!]! }
    `,
    resolvers: {
      Query: {
        hello: () => 'world',
        rows: (_: unknown, args: { first: number }) => grid(args.first),
        trees: (_: unknown, args: { first: number }) => tree(1, args.first),
      },
      Row: { cells: (row: { row: number }, args: { first: number }) => cells(row.row, args.first) },
      Tree: { children: (node: { value: number }, args: { first: number }) => tree(node.value * 10, args.first) },
    },
  },
  {
    name: 'labels',
    typeDefs: `type Row @key(fields: "row") { row: Int! label: String! }`,
    resolvers: { Row: { label: (row: { row: number }) => `row ${row.row}` } },
  },
];

export const directiveCases: OracleCase[] = [
  {
    name: '@include/@skip with variables and variable defaults',
    subgraphs,
    queries: [
      {
        name: '@include(if: $b) with $b sent true, across subgraphs',
        query: `query ($b: Boolean!) { rows(first: 2) { row label @include(if: $b) } }`,
        variables: { b: true },
        expect: {
          data: {
            rows: [
              { row: 0, label: 'row 0' },
              { row: 1, label: 'row 1' },
            ],
          },
        },
      },
      {
        name: '@skip(if: $s) with $s sent true skips the remote field',
        query: `query ($s: Boolean!) { rows(first: 2) { row label @skip(if: $s) } }`,
        variables: { s: true },
        expect: { data: { rows: [{ row: 0 }, { row: 1 }] } },
      },
      {
        name: '@include(if: $b) with $b defaulted to false (not sent)',
        query: `query ($b: Boolean = false) { hello rows(first: 2) @include(if: $b) { row label } }`,
        expect: { data: { hello: 'world' } },
      },
      {
        name: '@include(if: $b) with $b defaulted to false guarding a costly branch',
        query: `query ($b: Boolean = false) { hello rows(first: 200) @include(if: $b) { cells(first: 200) { value } } }`,
        expect: { data: { hello: 'world' } },
      },
      {
        name: '@skip(if: $s) with $s defaulted to true guarding a costly branch',
        query: `query ($s: Boolean = true) { hello rows(first: 200) @skip(if: $s) { cells(first: 200) { value } } }`,
        expect: { data: { hello: 'world' } },
      },
      {
        name: 'defaulted true overridden by a sent false',
        query: `query ($b: Boolean = true) { hello rows(first: 1) @include(if: $b) { label } }`,
        variables: { b: false },
        expect: { data: { hello: 'world' } },
      },
      {
        name: 'directives on fragments and on both a field and its fragment',
        query: `query ($b: Boolean = true, $s: Boolean = false) { rows(first: 1) { ... on Row @include(if: $b) { label } ...Cells @skip(if: $s) row @skip(if: $b) } } fragment Cells on Row { cells(first: 2) { value } }`,
        expect: { data: { rows: [{ label: 'row 0', cells: [{ value: 0 }, { value: 1 }] }] } },
      },
    ],
  },
  {
    name: 'list sizes from variables and defaults (first: $n)',
    subgraphs: [
      ...subgraphs.slice(0, 1),
      {
        ...subgraphs[1]!,
        typeDefs: `type Row @key(fields: "row") { row: Int! label: String! even: Boolean! }`,
        resolvers: {
          Row: { label: (row: { row: number }) => `row ${row.row}`, even: (row: { row: number }) => row.row % 2 === 0 },
        },
      },
    ],
    queries: [
      {
        name: 'first: $n sent',
        query: `query ($n: Int!) { rows(first: $n) { row even } }`,
        variables: { n: 3 },
        expect: {
          data: {
            rows: [
              { row: 0, even: true },
              { row: 1, even: false },
              { row: 2, even: true },
            ],
          },
        },
      },
      {
        name: 'first: $n with a default, not sent',
        query: `query ($n: Int = 2) { rows(first: $n) { label } }`,
        expect: { data: { rows: [{ label: 'row 0' }, { label: 'row 1' }] } },
      },
      {
        name: 'argument default of the schema (cells(first: Int = 3))',
        query: `{ rows(first: 1) { cells { value } } }`,
        expect: { data: { rows: [{ cells: [{ value: 0 }, { value: 1 }, { value: 2 }] }] } },
      },
      {
        // Four nested lists sized by a defaulted $n = 1: the estimate is 5. Read without the
        // default, each list would be sized 10 and the estimate (11,111) above MAX_QUERY_COST.
        name: 'defaulted first: $n bounds four nested lists',
        query: `query ($n: Int = 1) { trees(first: $n) { children(first: $n) { children(first: $n) { children(first: $n) { value } } } } }`,
        expect: { data: { trees: [{ children: [{ children: [{ children: [{ value: 1000 }] }] }] }] } },
      },
    ],
  },
];
