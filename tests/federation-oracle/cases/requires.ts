import { GraphQLError } from 'graphql';
import type { OracleCase } from '../harness';
import type { SubgraphDefinition } from '../subgraph';

/** @requires: a field computed from fields another subgraph owns (sent in the representation). */

const items = [
  { id: 'i1', weight: 2, price: 10, size: { width: 3, height: 4 }, maker: 'm1' },
  { id: 'i2', weight: 10, price: 150, size: { width: 1, height: 1 }, maker: 'm2' },
];

const catalog: SubgraphDefinition = {
  name: 'catalog',
  typeDefs: `
    type Size @shareable { width: Int! height: Int! }
    type Item @key(fields: "id") { id: ID! weight: Int! price: Int! size: Size! makerId: ID! }
    type Query { items: [Item!]! }
  `,
  resolvers: {
    Query: { items: () => items.map(({ id }) => ({ id })) },
    Item: {
      __resolveReference: (ref: { id: string }) => items.find((item) => item.id === ref.id) ?? null,
      // The list returns bare ids: these fields resolve from the stored item either way.
      weight: (item: { id: string }) => items.find((i) => i.id === item.id)!.weight,
      price: (item: { id: string }) => items.find((i) => i.id === item.id)!.price,
      size: (item: { id: string }) => items.find((i) => i.id === item.id)!.size,
      makerId: (item: { id: string }) => items.find((i) => i.id === item.id)!.maker,
    },
  },
};

export const requiresCases: OracleCase[] = [
  {
    name: '@requires: scalar fields from another subgraph',
    subgraphs: [
      catalog,
      {
        name: 'shipping',
        typeDefs: `
          type Item @key(fields: "id") { id: ID! weight: Int! @external price: Int! @external shippingCost: Int! @requires(fields: "weight price") }
        `,
        resolvers: {
          Item: { shippingCost: (item: { weight: number; price: number }) => (item.price > 100 ? 0 : item.weight * 3) },
        },
      },
    ],
    queries: [
      {
        name: 'required fields not selected by the client',
        query: `{ items { id shippingCost } }`,
        expect: {
          data: {
            items: [
              { id: 'i1', shippingCost: 6 },
              { id: 'i2', shippingCost: 0 },
            ],
          },
        },
      },
      {
        name: 'required fields also selected',
        query: `{ items { weight price shippingCost } }`,
        expect: {
          data: {
            items: [
              { weight: 2, price: 10, shippingCost: 6 },
              { weight: 10, price: 150, shippingCost: 0 },
            ],
          },
        },
      },
    ],
  },
  {
    name: '@requires: nested object selection',
    subgraphs: [
      catalog,
      {
        name: 'packing',
        typeDefs: `
          type Size @shareable { width: Int! height: Int! }
          type Item @key(fields: "id") { id: ID! size: Size! @external area: Int! @requires(fields: "size { width height }") }
        `,
        resolvers: {
          Item: { area: (item: { size: { width: number; height: number } }) => item.size.width * item.size.height },
        },
      },
    ],
    queries: [
      {
        name: 'area from size',
        query: `{ items { id area } }`,
        expect: {
          data: {
            items: [
              { id: 'i1', area: 12 },
              { id: 'i2', area: 1 },
            ],
          },
        },
      },
    ],
  },
  {
    name: '@requires: a required field that itself needs an entity hop',
    subgraphs: [
      catalog,
      {
        name: 'makers',
        typeDefs: `
          type Item @key(fields: "id") { id: ID! makerId: ID! @external makerName: String! @requires(fields: "makerId") }
        `,
        resolvers: {
          Item: { makerName: (item: { makerId: string }) => ({ m1: 'Acme', m2: 'Globex' })[item.makerId] ?? 'unknown' },
        },
      },
      {
        name: 'labels',
        typeDefs: `
          type Item @key(fields: "id") { id: ID! makerName: String! @external label: String! @requires(fields: "makerName") }
        `,
        resolvers: { Item: { label: (item: { id: string; makerName: string }) => `${item.id} by ${item.makerName}` } },
      },
    ],
    queries: [
      {
        name: 'requires chained through two subgraphs',
        query: `{ items { label } }`,
        expect: { data: { items: [{ label: 'i1 by Acme' }, { label: 'i2 by Globex' }] } },
      },
      {
        name: 'both computed fields',
        query: `{ items { id makerName label } }`,
        expect: {
          data: {
            items: [
              { id: 'i1', makerName: 'Acme', label: 'i1 by Acme' },
              { id: 'i2', makerName: 'Globex', label: 'i2 by Globex' },
            ],
          },
        },
      },
    ],
  },
  {
    name: '@requires whose required field fails in its own subgraph',
    subgraphs: [
      {
        name: 'sensors',
        typeDefs: `
          type Probe @key(fields: "id") { id: ID! reading: Int }
          type Query { probes: [Probe!]! }
        `,
        resolvers: {
          Query: { probes: () => [{ id: 'ok' }, { id: 'broken' }] },
          Probe: {
            __resolveReference: (ref: { id: string }) => ref,
            reading: (probe: { id: string }) => {
              if (probe.id === 'broken')
                throw new GraphQLError('probe broken', { extensions: { code: 'PROBE_BROKEN' } });
              return 21;
            },
          },
        },
      },
      {
        name: 'alerts',
        typeDefs: `type Probe @key(fields: "id") { id: ID! reading: Int @external alert: String @requires(fields: "reading") }`,
        resolvers: {
          Probe: {
            alert: (probe: { reading: number | null }) =>
              probe.reading == null ? 'no reading' : probe.reading > 20 ? 'hot' : 'fine',
          },
        },
      },
    ],
    queries: [
      {
        name: 'computed field next to the failed dependency',
        query: `{ probes { id reading alert } }`,
        expect: {
          data: {
            probes: [
              { id: 'ok', reading: 21, alert: 'hot' },
              { id: 'broken', reading: null, alert: 'no reading' },
            ],
          },
          errors: [{ path: ['probes', 1, 'reading'], code: 'PROBE_BROKEN' }],
        },
      },
    ],
  },
];
