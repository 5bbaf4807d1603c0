import type { OracleCase } from '../harness';

/** @shareable: value types, entity fields and root fields that more than one subgraph resolves. */

export const shareableCases: OracleCase[] = [
  {
    name: '@shareable value type returned by two subgraphs',
    subgraphs: [
      {
        name: 'pricing',
        typeDefs: `
          type Money @shareable { amount: Int! currency: String! }
          type Query { listPrice: Money! }
        `,
        resolvers: { Query: { listPrice: () => ({ amount: 100, currency: 'EUR' }) } },
      },
      {
        name: 'discounts',
        typeDefs: `
          type Money @shareable { amount: Int! currency: String! }
          type Query { discount: Money }
        `,
        resolvers: { Query: { discount: () => ({ amount: 15, currency: 'EUR' }) } },
      },
    ],
    queries: [
      {
        name: 'both roots in one operation',
        query: `{ listPrice { amount currency } discount { amount } }`,
        expect: { data: { listPrice: { amount: 100, currency: 'EUR' }, discount: { amount: 15 } } },
      },
    ],
  },
  {
    name: '@shareable entity field resolvable in two subgraphs',
    subgraphs: [
      {
        name: 'names',
        typeDefs: `
          type City @key(fields: "id") { id: ID! name: String! @shareable population: Int! }
          type Query { cities: [City!]! }
        `,
        resolvers: {
          Query: {
            cities: () => [
              { id: 'c1', name: 'Oslo', population: 700 },
              { id: 'c2', name: 'Bergen', population: 290 },
            ],
          },
          City: {
            __resolveReference: (ref: { id: string }) => ({
              id: ref.id,
              name: ref.id === 'c1' ? 'Oslo' : 'Bergen',
              population: ref.id === 'c1' ? 700 : 290,
            }),
          },
        },
      },
      {
        name: 'weather',
        typeDefs: `
          type City @key(fields: "id") { id: ID! name: String! @shareable forecast: String! }
          type Query { coldest: City! }
        `,
        resolvers: {
          Query: { coldest: () => ({ id: 'c2', name: 'Bergen', forecast: 'rain' }) },
          City: {
            __resolveReference: (ref: { id: string }) => ({
              id: ref.id,
              name: ref.id === 'c1' ? 'Oslo' : 'Bergen',
              forecast: ref.id === 'c1' ? 'snow' : 'rain',
            }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'shared field from either side, unique fields from both',
        query: `{ cities { name forecast } coldest { name population forecast } }`,
        expect: {
          data: {
            cities: [
              { name: 'Oslo', forecast: 'snow' },
              { name: 'Bergen', forecast: 'rain' },
            ],
            coldest: { name: 'Bergen', population: 290, forecast: 'rain' },
          },
        },
      },
    ],
  },
  {
    name: '@shareable root field in two subgraphs',
    subgraphs: [
      {
        name: 'left',
        typeDefs: `type Query { version: String! @shareable left: Int! }`,
        resolvers: { Query: { version: () => 'v1', left: () => 1 } },
      },
      {
        name: 'right',
        typeDefs: `type Query { version: String! @shareable right: Int! }`,
        resolvers: { Query: { version: () => 'v1', right: () => 2 } },
      },
    ],
    queries: [
      {
        name: 'shared root with fields of both',
        query: `{ version left right }`,
        expect: { data: { version: 'v1', left: 1, right: 2 } },
      },
    ],
  },
];
