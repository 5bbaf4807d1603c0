import type { OracleCase } from '../harness';
import type { SubgraphDefinition } from '../subgraph';

/**
 * Entity interfaces (`interface X @key`), @interfaceObject, and the `node(id:)` pattern: an
 * interface root whose implementations get fields from other subgraphs. The response cache adds
 * `__typename`/`id` selections to such documents, which is why these are here.
 */

const accounts = [
  { __typename: 'PersonalAccount', id: 'acc1', owner: 'Ada', birthday: '12-10' },
  { __typename: 'BusinessAccount', id: 'acc2', owner: 'Initech', vatId: 'DE123' },
];
const account = (id: string) => accounts.find((a) => a.id === id) ?? null;

/** The subgraph that owns the entity interface and all its implementations. */
const accountsSubgraph: SubgraphDefinition = {
  name: 'accounts',
  typeDefs: `
    interface Account @key(fields: "id") { id: ID! owner: String! }
    type PersonalAccount implements Account @key(fields: "id") { id: ID! owner: String! birthday: String! }
    type BusinessAccount implements Account @key(fields: "id") { id: ID! owner: String! vatId: String! }
    type Query { accounts: [Account!]! account(id: ID!): Account }
  `,
  resolvers: {
    Query: { accounts: () => accounts, account: (_: unknown, args: { id: string }) => account(args.id) },
    Account: { __resolveReference: (ref: { id: string }) => account(ref.id) },
    PersonalAccount: { __resolveReference: (ref: { id: string }) => account(ref.id) },
    BusinessAccount: { __resolveReference: (ref: { id: string }) => account(ref.id) },
  },
};

const nodes: Record<string, { __typename: string; id: string; [field: string]: unknown }> = {
  'Product:1': { __typename: 'Product', id: 'Product:1', name: 'Kettle' },
  'Product:2': { __typename: 'Product', id: 'Product:2', name: 'Toaster' },
  'User:1': { __typename: 'User', id: 'User:1', login: 'ada' },
};

/** `node(id:)` in one subgraph; each implementation gets a field from another subgraph. */
const nodeSubgraphs: SubgraphDefinition[] = [
  {
    name: 'graph',
    typeDefs: `
      interface Node { id: ID! }
      type Product implements Node @key(fields: "id") { id: ID! name: String! }
      type User implements Node @key(fields: "id") { id: ID! login: String! }
      type Query { node(id: ID!): Node nodes(ids: [ID!]!): [Node]! }
    `,
    resolvers: {
      Query: {
        node: (_: unknown, args: { id: string }) => nodes[args.id] ?? null,
        nodes: (_: unknown, args: { ids: string[] }) => args.ids.map((id) => nodes[id] ?? null),
      },
      Product: { __resolveReference: (ref: { id: string }) => nodes[ref.id] ?? null },
      User: { __resolveReference: (ref: { id: string }) => nodes[ref.id] ?? null },
    },
  },
  {
    name: 'stock',
    typeDefs: `type Product @key(fields: "id") { id: ID! inStock: Int! }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id, inStock: ref.id === 'Product:1' ? 3 : 0 }),
      },
    },
  },
  {
    name: 'profiles',
    typeDefs: `type User @key(fields: "id") { id: ID! bio: String }`,
    resolvers: { User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, bio: `bio of ${ref.id}` }) } },
  },
];

export const interfaceCases: OracleCase[] = [
  {
    name: 'node(id:) interface root resolved across subgraphs',
    subgraphs: nodeSubgraphs,
    queries: [
      {
        name: 'product node with a field from another subgraph',
        query: `query ($id: ID!) { node(id: $id) { id ... on Product { name inStock } } }`,
        variables: { id: 'Product:1' },
        expect: { data: { node: { id: 'Product:1', name: 'Kettle', inStock: 3 } } },
      },
      {
        name: 'user node, only remote fields and __typename',
        query: `{ node(id: "User:1") { __typename ... on User { bio } } }`,
        expect: { data: { node: { __typename: 'User', bio: 'bio of User:1' } } },
      },
      {
        name: 'unknown id is null',
        query: `{ node(id: "Product:404") { id ... on Product { inStock } } }`,
        expect: { data: { node: null } },
      },
      {
        name: 'nodes list mixing types and a miss',
        query: `{ nodes(ids: ["Product:2", "User:1", "Nope:0"]) { id ... on Product { name inStock } ... on User { login bio } } }`,
        expect: {
          data: {
            nodes: [
              { id: 'Product:2', name: 'Toaster', inStock: 0 },
              { id: 'User:1', login: 'ada', bio: 'bio of User:1' },
              null,
            ],
          },
        },
      },
    ],
  },
  {
    name: 'entity interface (@key on the interface) with implementations in one subgraph',
    subgraphs: [
      accountsSubgraph,
      {
        name: 'ledger',
        typeDefs: `
          type Account @key(fields: "id") @interfaceObject { id: ID! balance: Int! }
        `,
        resolvers: {
          Account: {
            __resolveReference: (ref: { id: string }) => ({ id: ref.id, balance: ref.id === 'acc1' ? 42 : 9000 }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'interface field added by an @interfaceObject subgraph',
        query: `{ accounts { id owner balance } }`,
        expect: {
          data: {
            accounts: [
              { id: 'acc1', owner: 'Ada', balance: 42 },
              { id: 'acc2', owner: 'Initech', balance: 9000 },
            ],
          },
        },
      },
      {
        name: 'fragments on implementations plus the interface-object field',
        query: `{ accounts { __typename balance ... on PersonalAccount { birthday } ... on BusinessAccount { vatId } } }`,
        expect: {
          data: {
            accounts: [
              { __typename: 'PersonalAccount', balance: 42, birthday: '12-10' },
              { __typename: 'BusinessAccount', balance: 9000, vatId: 'DE123' },
            ],
          },
        },
      },
      {
        name: 'single account by id',
        query: `query ($id: ID!) { account(id: $id) { id balance ... on BusinessAccount { vatId } } }`,
        variables: { id: 'acc2' },
        expect: { data: { account: { id: 'acc2', balance: 9000, vatId: 'DE123' } } },
      },
    ],
  },
  {
    name: '@interfaceObject subgraph as the entry point (concrete type fetched from the owner)',
    subgraphs: [
      accountsSubgraph,
      {
        name: 'ranking',
        typeDefs: `
          type Account @key(fields: "id") @interfaceObject { id: ID! score: Int! }
          type Query { topAccounts: [Account!]! }
        `,
        resolvers: {
          Query: {
            topAccounts: () => [
              { id: 'acc2', score: 99 },
              { id: 'acc1', score: 50 },
            ],
          },
          Account: {
            __resolveReference: (ref: { id: string }) => ({ id: ref.id, score: ref.id === 'acc1' ? 50 : 99 }),
          },
        },
      },
    ],
    queries: [
      {
        name: '__typename and implementation fields from the owner',
        query: `{ topAccounts { id score __typename ... on PersonalAccount { birthday } ... on BusinessAccount { vatId } } }`,
        expect: {
          data: {
            topAccounts: [
              { id: 'acc2', score: 99, __typename: 'BusinessAccount', vatId: 'DE123' },
              { id: 'acc1', score: 50, __typename: 'PersonalAccount', birthday: '12-10' },
            ],
          },
        },
      },
      {
        name: 'interface fields only',
        query: `{ topAccounts { owner score } }`,
        expect: {
          data: {
            topAccounts: [
              { owner: 'Initech', score: 99 },
              { owner: 'Ada', score: 50 },
            ],
          },
        },
      },
    ],
  },
  {
    name: 'value interface whose implementations get fields from different subgraphs',
    subgraphs: [
      {
        name: 'pets',
        typeDefs: `
          interface Animal { name: String! }
          type Dog implements Animal @key(fields: "name") { name: String! barks: Boolean! }
          type Cat implements Animal @key(fields: "name") { name: String! }
          type Query { animals: [Animal!]! }
        `,
        resolvers: {
          Query: {
            animals: () => [
              { __typename: 'Dog', name: 'Rex', barks: true },
              { __typename: 'Cat', name: 'Tom' },
              { __typename: 'Dog', name: 'Fido', barks: false },
            ],
          },
          Dog: { __resolveReference: (ref: { name: string }) => ({ name: ref.name, barks: ref.name === 'Rex' }) },
        },
      },
      {
        name: 'vets',
        typeDefs: `type Dog @key(fields: "name") { name: String! lastVisit: String }`,
        resolvers: {
          Dog: {
            __resolveReference: (ref: { name: string }) => ({
              name: ref.name,
              lastVisit: ref.name === 'Rex' ? '2024-01-02' : null,
            }),
          },
        },
      },
      {
        name: 'cats',
        typeDefs: `type Cat @key(fields: "name") { name: String! lives: Int! }`,
        resolvers: { Cat: { __resolveReference: (ref: { name: string }) => ({ name: ref.name, lives: 9 }) } },
      },
    ],
    queries: [
      {
        name: 'each implementation reaches its own subgraph',
        query: `{ animals { name ... on Dog { barks lastVisit } ... on Cat { lives } } }`,
        expect: {
          data: {
            animals: [
              { name: 'Rex', barks: true, lastVisit: '2024-01-02' },
              { name: 'Tom', lives: 9 },
              { name: 'Fido', barks: false, lastVisit: null },
            ],
          },
        },
      },
      {
        name: 'fragment on the interface and __typename only',
        query: `{ animals { __typename ...Named } } fragment Named on Animal { name }`,
        expect: {
          data: {
            animals: [
              { __typename: 'Dog', name: 'Rex' },
              { __typename: 'Cat', name: 'Tom' },
              { __typename: 'Dog', name: 'Fido' },
            ],
          },
        },
      },
    ],
  },
  {
    name: 'node(id:) on an entity interface (@key on Node) extended by an @interfaceObject',
    subgraphs: [
      {
        name: 'graph',
        typeDefs: `
          interface Node @key(fields: "id") { id: ID! }
          type Product implements Node @key(fields: "id") { id: ID! name: String! }
          type User implements Node @key(fields: "id") { id: ID! login: String! }
          type Query { node(id: ID!): Node }
        `,
        resolvers: {
          Query: { node: (_: unknown, args: { id: string }) => nodes[args.id] ?? null },
          Node: { __resolveReference: (ref: { id: string }) => nodes[ref.id] ?? null },
          Product: { __resolveReference: (ref: { id: string }) => nodes[ref.id] ?? null },
          User: { __resolveReference: (ref: { id: string }) => nodes[ref.id] ?? null },
        },
      },
      {
        name: 'history',
        typeDefs: `type Node @key(fields: "id") @interfaceObject { id: ID! createdAt: String! }`,
        resolvers: {
          Node: {
            __resolveReference: (ref: { id: string }) => ({
              id: ref.id,
              createdAt: ref.id.startsWith('User') ? '2020-01-01' : '2021-06-15',
            }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'interface-object field on a node',
        query: `query ($id: ID!) { node(id: $id) { id createdAt ... on User { login } } }`,
        variables: { id: 'User:1' },
        expect: { data: { node: { id: 'User:1', createdAt: '2020-01-01', login: 'ada' } } },
      },
      {
        name: 'only the interface-object field and __typename',
        query: `{ node(id: "Product:2") { __typename createdAt } }`,
        expect: { data: { node: { __typename: 'Product', createdAt: '2021-06-15' } } },
      },
      { name: 'missing node', query: `{ node(id: "User:9") { createdAt } }`, expect: { data: { node: null } } },
    ],
  },
];
