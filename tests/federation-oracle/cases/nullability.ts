import type { OracleCase } from '../harness';

/**
 * Entities a subgraph cannot find (`null` from resolveReference) and how null travels up.
 * Stock Hive (router-runtime) puts an entity the subgraph returned as null in the entity's place,
 * with no error and no bubbling, even where the schema says non-null (`[Listing!]!`); a null
 * field of a found entity does bubble. The expectations record the oracle as it is.
 */

const shelf = [
  { sku: 'L1', title: 'Atlas' },
  { sku: 'L2', title: 'Bible' },
  { sku: 'L3', title: 'Codex' },
];
/** The inventory knows L1 and L2 only. */
const inventory: Record<string, { sku: string; id: string; stock: number; note: string | null }> = {
  L1: { sku: 'L1', id: 'inv-1', stock: 5, note: 'front' },
  L2: { sku: 'L2', id: 'inv-2', stock: 0, note: null },
};

function listingCase(name: string, listType: string, entityFields: string): OracleCase['subgraphs'] {
  return [
    {
      name: 'listings',
      typeDefs: `
        type Listing @key(fields: "sku") { sku: String! title: String! }
        type Query { listings: ${listType} listing(sku: String!): Listing }
      `,
      resolvers: {
        Query: {
          listings: () => shelf,
          listing: (_: unknown, args: { sku: string }) => shelf.find((l) => l.sku === args.sku) ?? null,
        },
      },
    },
    {
      name,
      typeDefs: `type Listing @key(fields: "sku") { sku: String! ${entityFields} }`,
      resolvers: { Listing: { __resolveReference: (ref: { sku: string }) => inventory[ref.sku] ?? null } },
    },
  ];
}

export const nullabilityCases: OracleCase[] = [
  {
    // The response cache used to add `id` to every selection of a type that has one; here only the
    // inventory resolves it, non-null, and misses L3: adding it nulled the whole list.
    name: 'non-null id that only another subgraph resolves (and it misses one entity)',
    subgraphs: listingCase('inventory', '[Listing!]!', 'id: ID! stock: Int! note: String'),
    queries: [
      {
        name: 'fields of the owning subgraph only',
        query: `{ listings { sku title } }`,
        expect: {
          data: {
            listings: [
              { sku: 'L1', title: 'Atlas' },
              { sku: 'L2', title: 'Bible' },
              { sku: 'L3', title: 'Codex' },
            ],
          },
        },
      },
      {
        name: 'single entity, owning subgraph only',
        query: `{ listing(sku: "L3") { title } }`,
        expect: { data: { listing: { title: 'Codex' } } },
      },
      {
        name: 'nullable remote field on a missing entity is null',
        query: `{ listings { sku note } }`,
        expect: {
          data: {
            listings: [
              { sku: 'L1', note: 'front' },
              { sku: 'L2', note: null },
              { sku: 'L3', note: null },
            ],
          },
        },
      },
      {
        name: 'non-null remote field on a missing entity: the entity is null',
        query: `{ listings { sku stock } }`,
        expect: { data: { listings: [{ sku: 'L1', stock: 5 }, { sku: 'L2', stock: 0 }, null] } },
      },
      {
        name: 'the id itself selected',
        query: `{ listing(sku: "L1") { id title } missing: listing(sku: "L3") { id title } }`,
        expect: { data: { listing: { id: 'inv-1', title: 'Atlas' }, missing: null } },
      },
    ],
  },
  {
    name: 'missing entity in a nullable-item list',
    subgraphs: listingCase('stockroom', '[Listing]!', 'stock: Int!'),
    queries: [
      {
        name: 'null stays at the item',
        query: `{ listings { title stock } }`,
        expect: { data: { listings: [{ title: 'Atlas', stock: 5 }, { title: 'Bible', stock: 0 }, null] } },
      },
    ],
  },
  {
    name: 'null key field: entity with a null key is not fetched',
    subgraphs: [
      {
        name: 'orders',
        typeDefs: `
          type Customer @key(fields: "id") { id: ID! }
          type Order { number: Int! customer: Customer }
          type Query { orders: [Order!]! }
        `,
        resolvers: {
          Query: {
            orders: () => [
              { number: 1, customer: { id: 'c1' } },
              { number: 2, customer: null },
              { number: 3, customer: { id: 'c404' } },
            ],
          },
        },
      },
      {
        name: 'customers',
        typeDefs: `type Customer @key(fields: "id") { id: ID! name: String }`,
        resolvers: {
          Customer: {
            __resolveReference: (ref: { id: string }) => (ref.id === 'c1' ? { id: 'c1', name: 'Initech' } : null),
          },
        },
      },
    ],
    queries: [
      {
        name: 'null reference, found and not found',
        query: `{ orders { number customer { id name } } }`,
        expect: {
          data: {
            orders: [
              { number: 1, customer: { id: 'c1', name: 'Initech' } },
              { number: 2, customer: null },
              { number: 3, customer: { id: 'c404', name: null } },
            ],
          },
        },
      },
    ],
  },
  {
    name: 'non-null violation inside an entity subgraph',
    subgraphs: [
      {
        name: 'shelves',
        typeDefs: `
          type Book @key(fields: "isbn") { isbn: String! }
          type Shelf { label: String! books: [Book!] }
          type Query { shelves: [Shelf!]! }
        `,
        resolvers: {
          Query: {
            shelves: () => [
              { label: 'A', books: [{ isbn: '1' }, { isbn: '2' }] },
              { label: 'B', books: [{ isbn: '3' }] },
            ],
          },
        },
      },
      {
        name: 'books',
        typeDefs: `type Book @key(fields: "isbn") { isbn: String! title: String! subtitle: String }`,
        resolvers: {
          Book: {
            __resolveReference: (ref: { isbn: string }) => ({
              isbn: ref.isbn,
              title: ref.isbn === '2' ? null : `Book ${ref.isbn}`,
              subtitle: null,
            }),
          },
        },
      },
    ],
    queries: [
      {
        // The subgraph itself nulls the entity (its own non-null title), with an uncoded error.
        name: 'a null non-null title from the subgraph nulls that book',
        query: `{ shelves { label books { isbn title subtitle } } }`,
        expect: {
          data: {
            shelves: [
              { label: 'A', books: [{ isbn: '1', title: 'Book 1', subtitle: null }, null] },
              { label: 'B', books: [{ isbn: '3', title: 'Book 3', subtitle: null }] },
            ],
          },
          errors: [{ path: ['shelves', 0, 'books', 1, 'title'], code: 'INTERNAL_SERVER_ERROR' }],
        },
      },
    ],
  },
];
