import { GraphQLError } from 'graphql';
import type { OracleCase } from '../harness';

/**
 * Errors subgraphs return on purpose, with a code: each must reach the client at the path of the
 * field that failed (mapped from the subgraph's own paths, `_entities` included) with its code.
 */

const coded = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });

const orders = [
  {
    id: 'o1',
    lines: [
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 2 },
    ],
  },
  {
    id: 'o2',
    lines: [
      { sku: 'bad', qty: 1 },
      { sku: 'c', qty: 5 },
    ],
  },
  { id: 'o3', lines: [] },
];

export const errorCases: OracleCase[] = [
  {
    name: 'subgraph errors with codes at root and nested paths',
    subgraphs: [
      {
        name: 'orders',
        typeDefs: `
          type Line { sku: String! qty: Int! }
          type Order @key(fields: "id") { id: ID! lines: [Line!]! audit: String }
          type Query { orders: [Order!]! broken: String secret: String! }
        `,
        resolvers: {
          Query: {
            orders: () => orders,
            broken: () => {
              throw coded('broken on purpose', 'BROKEN_ROOT');
            },
            secret: () => {
              throw coded('you may not', 'FORBIDDEN');
            },
          },
          Order: {
            audit: (order: { id: string }) => {
              if (order.id === 'o2') throw coded('audit unavailable', 'AUDIT_DOWN');
              return `audited ${order.id}`;
            },
          },
        },
      },
      {
        name: 'pricing',
        typeDefs: `
          type Order @key(fields: "id") { id: ID! total: Int discounts: [[Int]] }
        `,
        resolvers: {
          Order: {
            __resolveReference: (ref: { id: string }) => {
              if (ref.id === 'o3') throw coded('order o3 is archived', 'ARCHIVED');
              return { id: ref.id };
            },
            total: (order: { id: string }) => {
              if (order.id === 'o2') throw coded('price of line "bad" unknown', 'PRICE_UNKNOWN');
              return 10;
            },
            // Errors inside a list of lists: one item fails, its siblings stay.
            discounts: (order: { id: string }) => [
              [1, order.id === 'o1' ? Promise.reject(coded('discount expired', 'EXPIRED')) : 2],
              [3],
            ],
          },
        },
      },
    ],
    queries: [
      {
        name: 'nullable root field fails, sibling root succeeds',
        query: `{ broken orders { id } }`,
        expect: {
          data: { broken: null, orders: [{ id: 'o1' }, { id: 'o2' }, { id: 'o3' }] },
          errors: [{ path: ['broken'], code: 'BROKEN_ROOT' }],
        },
      },
      {
        name: 'non-null root field fails: data is null',
        query: `{ secret }`,
        expect: { data: null, errors: [{ path: ['secret'], code: 'FORBIDDEN' }] },
      },
      {
        name: 'error on one item of a list, same subgraph',
        query: `{ orders { id audit } }`,
        expect: {
          data: {
            orders: [
              { id: 'o1', audit: 'audited o1' },
              { id: 'o2', audit: null },
              { id: 'o3', audit: 'audited o3' },
            ],
          },
          errors: [{ path: ['orders', 1, 'audit'], code: 'AUDIT_DOWN' }],
        },
      },
      {
        name: 'errors from an entity fetch: field error and resolveReference error',
        query: `{ orders { id total } }`,
        expect: {
          data: {
            orders: [
              { id: 'o1', total: 10 },
              { id: 'o2', total: null },
              { id: 'o3', total: null },
            ],
          },
          errors: [
            { path: ['orders', 1, 'total'], code: 'PRICE_UNKNOWN' },
            { path: ['orders', 2], code: 'ARCHIVED' },
          ],
        },
      },
      {
        name: 'error inside a list of lists from another subgraph',
        query: `{ orders { id discounts } }`,
        expect: {
          data: {
            orders: [
              { id: 'o1', discounts: [[1, null], [3]] },
              { id: 'o2', discounts: [[1, 2], [3]] },
              { id: 'o3', discounts: null },
            ],
          },
          errors: [
            { path: ['orders', 0, 'discounts', 0, 1], code: 'EXPIRED' },
            { path: ['orders', 2], code: 'ARCHIVED' },
          ],
        },
      },
    ],
  },
  {
    name: 'errors in nested lists across subgraphs',
    subgraphs: [
      {
        name: 'warehouses',
        typeDefs: `
          type Bin @key(fields: "code") { code: String! }
          type Aisle { name: String! bins: [Bin!]! }
          type Query { aisles: [Aisle!]! }
        `,
        resolvers: {
          Query: {
            aisles: () => [
              { name: 'A', bins: [{ code: 'A1' }, { code: 'A2' }] },
              { name: 'B', bins: [{ code: 'B1' }, { code: 'B2' }, { code: 'B3' }] },
            ],
          },
        },
      },
      {
        name: 'sensors',
        typeDefs: `type Bin @key(fields: "code") { code: String! temperature: Float humidity: Int! }`,
        resolvers: {
          Bin: {
            temperature: (bin: { code: string }) => {
              if (bin.code === 'B2') throw coded('sensor offline', 'SENSOR_OFFLINE');
              return 4.5;
            },
            humidity: (bin: { code: string }) => {
              if (bin.code === 'A2') throw coded('humidity sensor broken', 'SENSOR_BROKEN');
              return 40;
            },
          },
        },
      },
    ],
    queries: [
      {
        name: 'nullable field fails deep in a list',
        query: `{ aisles { name bins { code temperature } } }`,
        expect: {
          data: {
            aisles: [
              {
                name: 'A',
                bins: [
                  { code: 'A1', temperature: 4.5 },
                  { code: 'A2', temperature: 4.5 },
                ],
              },
              {
                name: 'B',
                bins: [
                  { code: 'B1', temperature: 4.5 },
                  { code: 'B2', temperature: null },
                  { code: 'B3', temperature: 4.5 },
                ],
              },
            ],
          },
          errors: [{ path: ['aisles', 1, 'bins', 1, 'temperature'], code: 'SENSOR_OFFLINE' }],
        },
      },
      {
        // Stock Hive puts the failed entity's null in its place, non-null list or not (no bubbling).
        name: 'non-null field of an entity fails deep in a list',
        query: `{ aisles { name bins { humidity } } }`,
        expect: {
          data: {
            aisles: [
              { name: 'A', bins: [{ humidity: 40 }, null] },
              { name: 'B', bins: [{ humidity: 40 }, { humidity: 40 }, { humidity: 40 }] },
            ],
          },
          errors: [{ path: ['aisles', 0, 'bins', 1, 'humidity'], code: 'SENSOR_BROKEN' }],
        },
      },
    ],
  },
];
