import type { OracleCase } from '../harness';

/**
 * @provides: a subgraph that can resolve another's field on a given path. The providing subgraph
 * answers a deliberately different value ("…, as the feed knows it"), so the answer shows which
 * plan ran: a plan that stops using the provided field is a difference the oracle catches.
 */

const authors: Record<string, string> = { a1: 'Ada', a2: 'Grace' };

export const providesCases: OracleCase[] = [
  {
    name: '@provides on an object field',
    subgraphs: [
      {
        name: 'people',
        typeDefs: `
          type Author @key(fields: "id") { id: ID! name: String! born: Int! }
        `,
        resolvers: {
          Author: {
            __resolveReference: (ref: { id: string }) => ({
              id: ref.id,
              name: authors[ref.id],
              born: ref.id === 'a1' ? 1815 : 1906,
            }),
          },
        },
      },
      {
        name: 'posts',
        typeDefs: `
          type Author @key(fields: "id") { id: ID! name: String! @external }
          type Post { title: String! author: Author! @provides(fields: "name") }
          type Query { posts: [Post!]! }
        `,
        resolvers: {
          Query: {
            posts: () => [
              { title: 'Engines', author: { id: 'a1', name: 'Ada, as the feed knows it' } },
              { title: 'Compilers', author: { id: 'a2', name: 'Grace, as the feed knows it' } },
            ],
          },
        },
      },
    ],
    queries: [
      {
        name: 'provided field comes from the providing subgraph',
        query: `{ posts { title author { name } } }`,
        expect: {
          data: {
            posts: [
              { title: 'Engines', author: { name: 'Ada, as the feed knows it' } },
              { title: 'Compilers', author: { name: 'Grace, as the feed knows it' } },
            ],
          },
        },
      },
      {
        name: 'provided and non-provided fields together',
        query: `{ posts { author { id name born } } }`,
        expect: {
          data: {
            posts: [
              { author: { id: 'a1', name: 'Ada, as the feed knows it', born: 1815 } },
              { author: { id: 'a2', name: 'Grace, as the feed knows it', born: 1906 } },
            ],
          },
        },
      },
    ],
  },
  {
    name: '@provides through an interface (fragments on each implementation)',
    subgraphs: [
      {
        name: 'media',
        typeDefs: `
          interface Media { id: ID! title: String! }
          type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int! }
          type Movie implements Media @key(fields: "id") { id: ID! title: String! minutes: Int! }
        `,
        resolvers: {
          Book: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, title: `book ${ref.id}`, pages: 300 }) },
          Movie: {
            __resolveReference: (ref: { id: string }) => ({ id: ref.id, title: `movie ${ref.id}`, minutes: 95 }),
          },
        },
      },
      {
        name: 'feed',
        typeDefs: `
          interface Media { id: ID! title: String! }
          type Book implements Media @key(fields: "id") { id: ID! title: String! @external }
          type Movie implements Media @key(fields: "id") { id: ID! title: String! @external }
          type Query { feed: [Media!]! @provides(fields: "... on Book { title } ... on Movie { title }") }
        `,
        resolvers: {
          Query: {
            feed: () => [
              { __typename: 'Book', id: 'b1', title: 'Dune, as the feed knows it' },
              { __typename: 'Movie', id: 'm1', title: 'Alien, as the feed knows it' },
            ],
          },
        },
      },
    ],
    queries: [
      {
        name: 'interface field selected directly',
        query: `{ feed { id title } }`,
        expect: {
          data: {
            feed: [
              { id: 'b1', title: 'Dune, as the feed knows it' },
              { id: 'm1', title: 'Alien, as the feed knows it' },
            ],
          },
        },
      },
      {
        name: 'provided title plus a field only the owner has',
        query: `{ feed { __typename title ... on Book { pages } ... on Movie { minutes } } }`,
        expect: {
          data: {
            feed: [
              { __typename: 'Book', title: 'Dune, as the feed knows it', pages: 300 },
              { __typename: 'Movie', title: 'Alien, as the feed knows it', minutes: 95 },
            ],
          },
        },
      },
    ],
  },
  {
    name: '@provides on a nested path (comments { by { handle } })',
    subgraphs: [
      {
        name: 'accounts',
        typeDefs: `
          type Account @key(fields: "id") { id: ID! handle: String! email: String! }
        `,
        resolvers: {
          Account: {
            __resolveReference: (ref: { id: string }) => ({
              id: ref.id,
              handle: `@owner-${ref.id}`,
              email: `${ref.id}@example.com`,
            }),
          },
        },
      },
      {
        name: 'threads',
        typeDefs: `
          type Account @key(fields: "id") { id: ID! handle: String! @external }
          type Comment { text: String! by: Account! }
          type Thread { topic: String! comments: [Comment!]! @provides(fields: "by { handle }") }
          type Query { threads: [Thread!]! }
        `,
        resolvers: {
          Query: {
            threads: () => [
              {
                topic: 'federation',
                comments: [
                  { text: 'first', by: { id: 'c1', handle: '@c1, as the thread knows it' } },
                  { text: 'second', by: { id: 'c2', handle: '@c2, as the thread knows it' } },
                ],
              },
            ],
          },
        },
      },
    ],
    queries: [
      {
        name: 'nested provided field and an owner-only field',
        query: `{ threads { topic comments { text by { handle email } } } }`,
        expect: {
          data: {
            threads: [
              {
                topic: 'federation',
                comments: [
                  { text: 'first', by: { handle: '@c1, as the thread knows it', email: 'c1@example.com' } },
                  { text: 'second', by: { handle: '@c2, as the thread knows it', email: 'c2@example.com' } },
                ],
              },
            ],
          },
        },
      },
    ],
  },
];
