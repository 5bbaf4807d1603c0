import type { OracleCase } from '../harness';

/** Entities whose fields live in several subgraphs, joined by their keys. */

const products = [
  { upc: 'p1', name: 'Table', price: 100 },
  { upc: 'p2', name: 'Chair', price: 40 },
  { upc: 'p3', name: 'Lamp', price: 25 },
];
const reviews = [
  { id: 'r1', body: 'Sturdy', productUpc: 'p1', authorId: 'u1' },
  { id: 'r2', body: 'Wobbly', productUpc: 'p2', authorId: 'u2' },
  { id: 'r3', body: 'Bright', productUpc: 'p3', authorId: 'u1' },
];
const users = [
  { id: 'u1', name: 'Ada' },
  { id: 'u2', name: 'Grace' },
];

/** Composite, multiple and nested keys: the planner must send the right representation each hop. */
const stores = [
  { id: 's1', region: 'eu', city: 'Berlin' },
  { id: 's1', region: 'us', city: 'Boston' },
];
const parcels = [
  { id: 'x1', sku: 'SKU-1', label: 'Box' },
  { id: 'x2', sku: 'SKU-2', label: 'Crate' },
];

export const entityCases: OracleCase[] = [
  {
    name: 'entities: fields of one entity from three subgraphs',
    subgraphs: [
      {
        name: 'products',
        typeDefs: `
          type Product @key(fields: "upc") { upc: String! name: String! price: Int! }
          type Query { products: [Product!]! product(upc: String!): Product }
        `,
        resolvers: {
          Query: {
            products: () => products,
            product: (_: unknown, args: { upc: string }) => products.find((p) => p.upc === args.upc) ?? null,
          },
          Product: { __resolveReference: (ref: { upc: string }) => products.find((p) => p.upc === ref.upc) ?? null },
        },
      },
      {
        name: 'reviews',
        typeDefs: `
          type Review { id: ID! body: String! author: User! }
          type Product @key(fields: "upc") { upc: String! reviews: [Review!]! }
          type User @key(fields: "id", resolvable: false) { id: ID! }
        `,
        resolvers: {
          Product: { reviews: (product: { upc: string }) => reviews.filter((r) => r.productUpc === product.upc) },
          Review: { author: (review: { authorId: string }) => ({ id: review.authorId }) },
        },
      },
      {
        name: 'users',
        typeDefs: `
          type User @key(fields: "id") { id: ID! name: String! }
        `,
        resolvers: {
          User: { __resolveReference: (ref: { id: string }) => users.find((u) => u.id === ref.id) ?? null },
        },
      },
    ],
    queries: [
      {
        name: 'list with nested entity hops',
        query: `{ products { upc name reviews { body author { name } } } }`,
        expect: {
          data: {
            products: [
              { upc: 'p1', name: 'Table', reviews: [{ body: 'Sturdy', author: { name: 'Ada' } }] },
              { upc: 'p2', name: 'Chair', reviews: [{ body: 'Wobbly', author: { name: 'Grace' } }] },
              { upc: 'p3', name: 'Lamp', reviews: [{ body: 'Bright', author: { name: 'Ada' } }] },
            ],
          },
        },
      },
      {
        name: 'one entity by argument variable',
        query: `query ($upc: String!) { product(upc: $upc) { name price reviews { id author { id name } } } }`,
        variables: { upc: 'p2' },
        expect: {
          data: { product: { name: 'Chair', price: 40, reviews: [{ id: 'r2', author: { id: 'u2', name: 'Grace' } }] } },
        },
      },
    ],
  },
  {
    name: 'entities: composite key (id + region)',
    subgraphs: [
      {
        name: 'stores',
        typeDefs: `
          type Store @key(fields: "id region") { id: ID! region: String! city: String! }
          type Query { stores: [Store!]! }
        `,
        resolvers: {
          Query: { stores: () => stores },
          Store: {
            __resolveReference: (ref: { id: string; region: string }) => ({
              ...ref,
              city: stores.find((s) => s.id === ref.id && s.region === ref.region)!.city,
            }),
          },
        },
      },
      {
        name: 'staff',
        typeDefs: `type Store @key(fields: "id region") { id: ID! region: String! headcount: Int! }`,
        resolvers: {
          Store: {
            __resolveReference: (ref: { id: string; region: string }) => ({
              ...ref,
              headcount: ref.region === 'eu' ? 12 : 30,
            }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'same id, two regions, fields from both subgraphs',
        query: `{ stores { id region city headcount } }`,
        expect: {
          data: {
            stores: [
              { id: 's1', region: 'eu', city: 'Berlin', headcount: 12 },
              { id: 's1', region: 'us', city: 'Boston', headcount: 30 },
            ],
          },
        },
      },
    ],
  },
  {
    name: 'entities: two keys, joined through the subgraph that has both',
    subgraphs: [
      {
        name: 'parcels',
        typeDefs: `
          type Parcel @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! label: String! }
        `,
        resolvers: {
          Parcel: {
            __resolveReference: (ref: { id?: string; sku?: string }) =>
              parcels.find((p) => p.id === ref.id || p.sku === ref.sku) ?? null,
          },
        },
      },
      {
        name: 'warehouse',
        typeDefs: `
          type Parcel @key(fields: "sku") { sku: String! }
          type Query { shelf: [Parcel!]! }
        `,
        resolvers: { Query: { shelf: () => [{ sku: 'SKU-2' }, { sku: 'SKU-1' }] } },
      },
      {
        name: 'tracking',
        typeDefs: `type Parcel @key(fields: "id") { id: ID! status: String! }`,
        resolvers: {
          Parcel: {
            __resolveReference: (ref: { id: string }) => ({
              id: ref.id,
              status: ref.id === 'x1' ? 'delivered' : 'in transit',
            }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'sku → id → status',
        query: `{ shelf { sku label status } }`,
        expect: {
          data: {
            shelf: [
              { sku: 'SKU-2', label: 'Crate', status: 'in transit' },
              { sku: 'SKU-1', label: 'Box', status: 'delivered' },
            ],
          },
        },
      },
    ],
  },
  {
    name: 'entities: nested key (owner { id })',
    subgraphs: [
      {
        name: 'repos',
        typeDefs: `
          type Owner @shareable { id: ID! }
          type Repo @key(fields: "name owner { id }") { name: String! owner: Owner! }
          type Query { repos: [Repo!]! }
        `,
        resolvers: {
          Query: {
            repos: () => [
              { name: 'core', owner: { id: 'o1' } },
              { name: 'web', owner: { id: 'o2' } },
            ],
          },
        },
      },
      {
        name: 'stars',
        typeDefs: `
          type Owner @shareable { id: ID! }
          type Repo @key(fields: "name owner { id }") { name: String! owner: Owner! stars: Int! }
        `,
        resolvers: {
          Repo: {
            __resolveReference: (ref: { name: string; owner: { id: string } }) => ({
              ...ref,
              stars: ref.name.length * 10 + Number(ref.owner.id.slice(1)),
            }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'nested key fields in the representation',
        query: `{ repos { name owner { id } stars } }`,
        expect: {
          data: {
            repos: [
              { name: 'core', owner: { id: 'o1' }, stars: 41 },
              { name: 'web', owner: { id: 'o2' }, stars: 32 },
            ],
          },
        },
      },
      {
        name: 'only the remote field (key fields fetched but not returned)',
        query: `{ repos { stars } }`,
        expect: { data: { repos: [{ stars: 41 }, { stars: 32 }] } },
      },
    ],
  },
  {
    name: 'entities: fields with arguments, aliased, resolved through _entities',
    subgraphs: [
      {
        name: 'goods',
        typeDefs: `
          type Good @key(fields: "id") { id: ID! name: String! }
          type Query { goods: [Good!]! }
        `,
        resolvers: {
          Query: {
            goods: () => [
              { id: 'g1', name: 'Pen' },
              { id: 'g2', name: 'Ink' },
            ],
          },
        },
      },
      {
        name: 'prices',
        typeDefs: `
          enum Currency { EUR USD }
          type Good @key(fields: "id") { id: ID! price(currency: Currency! = EUR, withTax: Boolean = false): Float! }
        `,
        resolvers: {
          Good: {
            price: (good: { id: string }, args: { currency: string; withTax: boolean }) => {
              const base = good.id === 'g1' ? 2 : 5;
              return (args.currency === 'USD' ? base * 1.5 : base) * (args.withTax ? 1.25 : 1);
            },
          },
        },
      },
    ],
    queries: [
      {
        name: 'one field under three aliases with different arguments',
        query: `query ($c: Currency!) { goods { name eur: price usd: price(currency: USD) gross: price(currency: $c, withTax: true) } }`,
        variables: { c: 'USD' },
        expect: {
          data: {
            goods: [
              { name: 'Pen', eur: 2, usd: 3, gross: 3.75 },
              { name: 'Ink', eur: 5, usd: 7.5, gross: 9.375 },
            ],
          },
        },
      },
    ],
  },
  {
    name: 'entities: enum-typed key',
    subgraphs: [
      {
        name: 'planets',
        typeDefs: `
          enum PlanetCode { MERCURY VENUS EARTH }
          type Planet @key(fields: "code") { code: PlanetCode! order: Int! }
          type Query { planets: [Planet!]! }
        `,
        resolvers: {
          Query: {
            planets: () => [
              { code: 'EARTH', order: 3 },
              { code: 'MERCURY', order: 1 },
            ],
          },
        },
      },
      {
        name: 'moons',
        typeDefs: `
          enum PlanetCode { MERCURY VENUS EARTH }
          type Planet @key(fields: "code") { code: PlanetCode! moons: [String!]! }
        `,
        resolvers: {
          Planet: {
            __resolveReference: (ref: { code: string }) => ({
              code: ref.code,
              moons: ref.code === 'EARTH' ? ['Moon'] : [],
            }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'enum key in the representation',
        query: `{ planets { code order moons } }`,
        expect: {
          data: {
            planets: [
              { code: 'EARTH', order: 3, moons: ['Moon'] },
              { code: 'MERCURY', order: 1, moons: [] },
            ],
          },
        },
      },
    ],
  },
  {
    name: 'entities: four hops back and forth between three subgraphs',
    subgraphs: [
      {
        name: 'people',
        typeDefs: `
          type Person @key(fields: "id") { id: ID! name: String! }
          type Company @key(fields: "id") { id: ID! }
          type Query { people: [Person!]! }
        `,
        resolvers: {
          Query: { people: () => [{ id: 'p1', name: 'Ada' }] },
          Person: {
            __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: ref.id === 'p1' ? 'Ada' : 'Charles' }),
          },
        },
      },
      {
        name: 'jobs',
        typeDefs: `
          type Person @key(fields: "id") { id: ID! employer: Company! }
          type Company @key(fields: "id") { id: ID! }
        `,
        resolvers: { Person: { employer: (person: { id: string }) => ({ id: person.id === 'p1' ? 'c1' : 'c2' }) } },
      },
      {
        name: 'companies',
        typeDefs: `
          type Person @key(fields: "id") { id: ID! }
          type Company @key(fields: "id") { id: ID! name: String! founder: Person! }
        `,
        resolvers: {
          Company: {
            __resolveReference: (ref: { id: string }) => ({
              id: ref.id,
              name: ref.id === 'c1' ? 'Engines Ltd' : 'Difference Co',
              founder: { id: 'p2' },
            }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'person → employer → founder → employer name',
        query: `{ people { name employer { name founder { name employer { id name } } } } }`,
        expect: {
          data: {
            people: [
              {
                name: 'Ada',
                employer: {
                  name: 'Engines Ltd',
                  founder: { name: 'Charles', employer: { id: 'c2', name: 'Difference Co' } },
                },
              },
            ],
          },
        },
      },
    ],
  },
];
