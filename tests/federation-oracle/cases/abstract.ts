import type { OracleCase } from '../harness';
import type { SubgraphDefinition } from '../subgraph';

/** Unions and interfaces whose members live in different subgraphs; fragments, __typename, aliases. */

const searchSubgraphs: SubgraphDefinition[] = [
  {
    name: 'search',
    typeDefs: `
      type Product @key(fields: "id") { id: ID! }
      type Article @key(fields: "slug") { slug: String! }
      type Tag { label: String! }
      union Hit = Product | Article | Tag
      type Query { search(term: String!): [Hit!]! }
    `,
    resolvers: {
      Query: {
        search: (_: unknown, args: { term: string }) =>
          args.term === 'none'
            ? []
            : [
                { __typename: 'Product', id: 'p1' },
                { __typename: 'Tag', label: `#${args.term}` },
                { __typename: 'Article', slug: 'how-to' },
                { __typename: 'Product', id: 'p2' },
              ],
      },
    },
  },
  {
    name: 'shop',
    typeDefs: `
      interface Priced { price: Int! }
      type Product implements Priced @key(fields: "id") { id: ID! title: String! price: Int! }
    `,
    resolvers: {
      Product: {
        __resolveReference: (ref: { id: string }) => ({
          id: ref.id,
          title: ref.id === 'p1' ? 'Kettle' : 'Mug',
          price: ref.id === 'p1' ? 30 : 8,
        }),
      },
    },
  },
  {
    name: 'blog',
    typeDefs: `type Article @key(fields: "slug") { slug: String! headline: String! words: Int! }`,
    resolvers: {
      Article: {
        __resolveReference: (ref: { slug: string }) => ({ slug: ref.slug, headline: 'How to federate', words: 1200 }),
      },
    },
  },
];

export const abstractCases: OracleCase[] = [
  {
    name: 'union whose members come from three subgraphs (fragments, aliases, __typename)',
    subgraphs: searchSubgraphs,
    queries: [
      {
        name: 'inline fragments per member',
        query: `query ($t: String!) { search(term: $t) { __typename ... on Product { title price } ... on Article { headline } ... on Tag { label } } }`,
        variables: { t: 'tea' },
        expect: {
          data: {
            search: [
              { __typename: 'Product', title: 'Kettle', price: 30 },
              { __typename: 'Tag', label: '#tea' },
              { __typename: 'Article', headline: 'How to federate' },
              { __typename: 'Product', title: 'Mug', price: 8 },
            ],
          },
        },
      },
      {
        name: 'named fragments, one on an interface inside the union',
        query: `
          query Search { search(term: "x") { ...Pricing ...ArticleBits } }
          fragment Pricing on Priced { price }
          fragment ArticleBits on Article { slug words }
        `,
        expect: { data: { search: [{ price: 30 }, {}, { slug: 'how-to', words: 1200 }, { price: 8 }] } },
      },
      {
        name: 'only __typename of each member',
        query: `{ search(term: "x") { __typename } }`,
        expect: {
          data: {
            search: [
              { __typename: 'Product' },
              { __typename: 'Tag' },
              { __typename: 'Article' },
              { __typename: 'Product' },
            ],
          },
        },
      },
      {
        name: 'empty result',
        query: `{ search(term: "none") { __typename ... on Product { title } } }`,
        expect: { data: { search: [] } },
      },
      {
        name: 'spread inside inline fragment inside named fragment',
        query: `
          { search(term: "y") { ...Hit } }
          fragment Hit on Hit { ... on Product { id ...ProductCard } ... on Article { ... { headline } } }
          fragment ProductCard on Product { title ... on Priced { price } }
        `,
        expect: {
          data: {
            search: [
              { id: 'p1', title: 'Kettle', price: 30 },
              {},
              { headline: 'How to federate' },
              { id: 'p2', title: 'Mug', price: 8 },
            ],
          },
        },
      },
      {
        name: 'same field under several aliases with different arguments',
        query: `{ a: search(term: "a") { ... on Tag { tag: label } } b: search(term: "b") { ... on Tag { tag: label } ... on Product { name: title cost: price } } }`,
        expect: {
          data: {
            a: [{}, { tag: '#a' }, {}, {}],
            b: [{ name: 'Kettle', cost: 30 }, { tag: '#b' }, {}, { name: 'Mug', cost: 8 }],
          },
        },
      },
      {
        name: 'alias on __typename and on a key field',
        query: `{ search(term: "c") { kind: __typename ... on Product { key: id id title } } }`,
        expect: {
          data: {
            search: [
              { kind: 'Product', key: 'p1', id: 'p1', title: 'Kettle' },
              { kind: 'Tag' },
              { kind: 'Article' },
              { kind: 'Product', key: 'p2', id: 'p2', title: 'Mug' },
            ],
          },
        },
      },
      {
        name: 'root and nested __typename',
        query: `{ __typename search(term: "z") { __typename ... on Product { __typename title } } }`,
        expect: {
          data: {
            __typename: 'Query',
            search: [
              { __typename: 'Product', title: 'Kettle' },
              { __typename: 'Tag' },
              { __typename: 'Article' },
              { __typename: 'Product', title: 'Mug' },
            ],
          },
        },
      },
      { name: 'only the root __typename', query: `{ __typename }`, expect: { data: { __typename: 'Query' } } },
    ],
  },
];
