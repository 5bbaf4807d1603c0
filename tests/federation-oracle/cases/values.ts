import { GraphQLError } from 'graphql';
import type { OracleCase } from '../harness';

/** Values that must round-trip unchanged: enums, custom scalars, input objects, lists of lists. */

/** A Date scalar carried as `YYYY-MM-DD` on the wire and as a Date inside the subgraph. */
const dateScalar = {
  serialize: (value: unknown) => (value as Date).toISOString().slice(0, 10),
  parseValue: (value: unknown) => {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
      throw new GraphQLError(`not a date: ${JSON.stringify(value)}`, { extensions: { code: 'BAD_DATE' } });
    return new Date(`${value}T00:00:00Z`);
  },
};
const jsonScalar = { serialize: (value: unknown) => value, parseValue: (value: unknown) => value };

export const valueCases: OracleCase[] = [
  {
    name: 'enums and custom scalars round-trip through two subgraphs',
    subgraphs: [
      {
        name: 'events',
        typeDefs: `
          scalar Date
          scalar JSON
          enum Level { DEBUG INFO WARN }
          input Filter { levels: [Level!]! after: Date }
          type Event @key(fields: "id") { id: ID! level: Level! on: Date! meta: JSON }
          type Query { events(filter: Filter!): [Event!]! echo(level: Level!, on: Date!, meta: JSON): String! }
        `,
        scalars: { Date: dateScalar, JSON: jsonScalar },
        resolvers: {
          Query: {
            events: (_: unknown, args: { filter: { levels: string[]; after?: Date } }) =>
              [
                { id: 'e1', level: 'DEBUG', on: new Date('2024-01-01T00:00:00Z'), meta: { tags: ['a'], n: 1 } },
                { id: 'e2', level: 'WARN', on: new Date('2024-03-05T00:00:00Z'), meta: null },
                { id: 'e3', level: 'INFO', on: new Date('2024-06-30T00:00:00Z'), meta: [1, 'two', { three: 3 }] },
              ].filter(
                (event) =>
                  args.filter.levels.includes(event.level) && (!args.filter.after || event.on > args.filter.after),
              ),
            echo: (_: unknown, args: { level: string; on: Date; meta: unknown }) =>
              `${args.level} ${args.on.toISOString().slice(0, 10)} ${JSON.stringify(args.meta)}`,
          },
        },
      },
      {
        name: 'severity',
        typeDefs: `
          enum Level { DEBUG INFO WARN }
          type Event @key(fields: "id") { id: ID! level: Level! @external escalatedTo: Level! @requires(fields: "level") levels: [Level!]! }
        `,
        resolvers: {
          Event: {
            escalatedTo: (event: { level: string }) => ({ DEBUG: 'INFO', INFO: 'WARN', WARN: 'WARN' })[event.level],
            levels: () => ['WARN', 'DEBUG'],
          },
        },
      },
    ],
    queries: [
      {
        name: 'enum list and date in an input variable, scalars out, enum through @requires',
        query: `query ($f: Filter!) { events(filter: $f) { id level on meta escalatedTo levels } }`,
        variables: { f: { levels: ['INFO', 'DEBUG'], after: '2023-12-31' } },
        expect: {
          data: {
            events: [
              {
                id: 'e1',
                level: 'DEBUG',
                on: '2024-01-01',
                meta: { tags: ['a'], n: 1 },
                escalatedTo: 'INFO',
                levels: ['WARN', 'DEBUG'],
              },
              {
                id: 'e3',
                level: 'INFO',
                on: '2024-06-30',
                meta: [1, 'two', { three: 3 }],
                escalatedTo: 'WARN',
                levels: ['WARN', 'DEBUG'],
              },
            ],
          },
        },
      },
      {
        name: 'enum and scalars as literals and as variables',
        query: `query ($on: Date!, $meta: JSON) { lit: echo(level: WARN, on: "2020-02-29", meta: {a: [1, 2]}) var: echo(level: INFO, on: $on, meta: $meta) }`,
        variables: { on: '1999-12-31', meta: { nested: { deep: [true, null] } } },
        expect: {
          data: { lit: 'WARN 2020-02-29 {"a":[1,2]}', var: 'INFO 1999-12-31 {"nested":{"deep":[true,null]}}' },
        },
      },
      {
        // The gateway cannot read a custom scalar: the subgraph refuses the value, with its code.
        name: 'a bad custom scalar value is refused by the subgraph',
        query: `query ($on: Date!) { echo(level: INFO, on: $on) }`,
        variables: { on: 'yesterday' },
        expect: { data: null, errors: [{ path: ['echo'], code: 'BAD_DATE' }] },
      },
    ],
  },
  {
    name: 'lists of lists, of scalars and of entities',
    subgraphs: [
      {
        name: 'matrix',
        typeDefs: `
          type Tile @key(fields: "x y") { x: Int! y: Int! }
          type Query { matrix: [[Int!]!]! sparse: [[Int]] board: [[Tile!]!]! }
        `,
        resolvers: {
          Query: {
            matrix: () => [[1, 2], [], [3]],
            sparse: () => [[1, null], null, []],
            board: () => [0, 1].map((y) => [0, 1, 2].map((x) => ({ x, y }))),
          },
        },
      },
      {
        name: 'terrain',
        typeDefs: `type Tile @key(fields: "x y") { x: Int! y: Int! kind: String! }`,
        resolvers: {
          Tile: {
            __resolveReference: (ref: { x: number; y: number }) => ({
              ...ref,
              kind: (ref.x + ref.y) % 2 ? 'water' : 'land',
            }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'scalar lists of lists with empties and nulls',
        query: `{ matrix sparse }`,
        expect: { data: { matrix: [[1, 2], [], [3]], sparse: [[1, null], null, []] } },
      },
      {
        name: 'entities in a list of lists, completed by another subgraph',
        query: `{ board { x kind } }`,
        expect: {
          data: {
            board: [
              [
                { x: 0, kind: 'land' },
                { x: 1, kind: 'water' },
                { x: 2, kind: 'land' },
              ],
              [
                { x: 0, kind: 'water' },
                { x: 1, kind: 'land' },
                { x: 2, kind: 'water' },
              ],
            ],
          },
        },
      },
    ],
  },
  {
    name: 'input objects with defaults, and a document with two operations',
    subgraphs: [
      {
        name: 'search',
        typeDefs: `
          enum Order { ASC DESC }
          input Page { size: Int = 2 order: Order = ASC }
          input Query_ { words: [String!]! = ["a"] page: Page = {} }
          type Doc @key(fields: "id") { id: ID! }
          type Query { docs(q: Query_ = {}): [Doc!]! }
        `,
        resolvers: {
          Query: {
            docs: (_: unknown, args: { q: { words: string[]; page: { size: number; order: string } } }) => {
              const ids = args.q.words.flatMap((word) => [1, 2, 3].map((n) => `${word}${n}`));
              return (args.q.page.order === 'DESC' ? ids.reverse() : ids)
                .slice(0, args.q.page.size)
                .map((id) => ({ id }));
            },
          },
        },
      },
      {
        name: 'titles',
        typeDefs: `type Doc @key(fields: "id") { id: ID! title: String! }`,
        resolvers: { Doc: { title: (doc: { id: string }) => `Title ${doc.id}` } },
      },
    ],
    queries: [
      {
        name: 'every default at once',
        query: `{ docs { id title } }`,
        expect: {
          data: {
            docs: [
              { id: 'a1', title: 'Title a1' },
              { id: 'a2', title: 'Title a2' },
            ],
          },
        },
      },
      {
        name: 'partial input, defaults fill the rest',
        query: `query ($q: Query_) { docs(q: $q) { title } }`,
        variables: { q: { words: ['x', 'y'], page: { order: 'DESC' } } },
        expect: { data: { docs: [{ title: 'Title y3' }, { title: 'Title y2' }] } },
      },
      {
        name: 'operationName picks one of two operations',
        query: `query Small { docs(q: { page: { size: 1 } }) { id } } query Big { docs(q: { page: { size: 4 } }) { id title } }`,
        operationName: 'Big',
        expect: {
          data: {
            docs: [
              { id: 'a1', title: 'Title a1' },
              { id: 'a2', title: 'Title a2' },
              { id: 'a3', title: 'Title a3' },
            ],
          },
        },
      },
    ],
  },
];
