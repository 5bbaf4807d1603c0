import type { OracleCase } from '../harness';

/** @inaccessible: in the subgraphs, not in the API. Still usable for keys and @requires. */

export const inaccessibleCases: OracleCase[] = [
  {
    name: '@inaccessible field used by @requires',
    subgraphs: [
      {
        name: 'core',
        typeDefs: `
          type Loan @key(fields: "id") { id: ID! amount: Int! internalRisk: Int! @inaccessible }
          type Query { loans: [Loan!]! }
        `,
        resolvers: {
          Query: {
            loans: () => [
              { id: 'l1', amount: 1000, internalRisk: 3 },
              { id: 'l2', amount: 50, internalRisk: 9 },
            ],
          },
          Loan: {
            __resolveReference: (ref: { id: string }) =>
              ref.id === 'l1' ? { id: 'l1', amount: 1000, internalRisk: 3 } : { id: 'l2', amount: 50, internalRisk: 9 },
          },
        },
      },
      {
        name: 'scoring',
        typeDefs: `
          type Loan @key(fields: "id") { id: ID! internalRisk: Int! @external grade: String! @requires(fields: "internalRisk") }
        `,
        resolvers: { Loan: { grade: (loan: { internalRisk: number }) => (loan.internalRisk > 5 ? 'C' : 'A') } },
      },
    ],
    queries: [
      {
        name: 'field computed from an inaccessible one',
        query: `{ loans { id amount grade } }`,
        expect: {
          data: {
            loans: [
              { id: 'l1', amount: 1000, grade: 'A' },
              { id: 'l2', amount: 50, grade: 'C' },
            ],
          },
        },
      },
      {
        name: 'selecting the inaccessible field is a validation error',
        query: `{ loans { id internalRisk } }`,
        expect: { status: 400, data: null, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED' }] },
      },
    ],
  },
  {
    name: '@inaccessible enum value and type',
    subgraphs: [
      {
        name: 'tickets',
        typeDefs: `
          enum Priority { LOW HIGH SECRET @inaccessible }
          type Audit @inaccessible { by: String! }
          type Ticket @key(fields: "id") { id: ID! priority: Priority! audit: Audit @inaccessible }
          type Query { tickets(priority: Priority): [Ticket!]! }
        `,
        resolvers: {
          Query: {
            tickets: (_: unknown, args: { priority?: string }) =>
              [
                { id: 't1', priority: 'LOW' },
                { id: 't2', priority: 'HIGH' },
              ].filter((ticket) => !args.priority || ticket.priority === args.priority),
          },
        },
      },
      {
        name: 'owners',
        typeDefs: `type Ticket @key(fields: "id") { id: ID! owner: String! }`,
        resolvers: {
          Ticket: {
            __resolveReference: (ref: { id: string }) => ({ id: ref.id, owner: ref.id === 't1' ? 'ops' : 'dev' }),
          },
        },
      },
    ],
    queries: [
      {
        name: 'accessible enum value as a variable',
        query: `query ($p: Priority) { tickets(priority: $p) { id priority owner } }`,
        variables: { p: 'HIGH' },
        expect: { data: { tickets: [{ id: 't2', priority: 'HIGH', owner: 'dev' }] } },
      },
      {
        name: 'inaccessible enum value is refused',
        query: `{ tickets(priority: SECRET) { id } }`,
        expect: { status: 400, data: null, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED' }] },
      },
    ],
  },
];
