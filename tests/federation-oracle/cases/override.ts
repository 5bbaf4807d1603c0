import type { OracleCase } from '../harness';

/**
 * @override: a field moved from one subgraph to another. The two subgraphs answer different values
 * ("old …" / "new …"), so the answer shows which one the plan used. Progressive override: a label
 * `percent(100)` / `percent(0)` is decided the same way on every request; any other label is off
 * unless the gateway is told it is on (neither gateway is).
 */

function overrideCase(name: string, override: string, served: 'old' | 'new'): OracleCase {
  return {
    name,
    subgraphs: [
      {
        name: 'legacy',
        typeDefs: `
          type Invoice @key(fields: "id") { id: ID! total: Int! status: String! }
          type Query { invoices: [Invoice!]! }
        `,
        resolvers: {
          Query: {
            invoices: () => [
              { id: 'v1', total: 10, status: 'old open' },
              { id: 'v2', total: 20, status: 'old paid' },
            ],
          },
          Invoice: {
            __resolveReference: (ref: { id: string }) => ({
              id: ref.id,
              total: ref.id === 'v1' ? 10 : 20,
              status: `old ${ref.id}`,
            }),
          },
        },
      },
      {
        name: 'billing',
        typeDefs: `
          type Invoice @key(fields: "id") { id: ID! status: String! ${override} }
        `,
        resolvers: {
          Invoice: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, status: `new ${ref.id}` }) },
        },
      },
    ],
    queries: [
      {
        name: `status from the ${served} subgraph`,
        query: `{ invoices { id total status } }`,
        expect: {
          data: {
            invoices:
              served === 'new'
                ? [
                    { id: 'v1', total: 10, status: 'new v1' },
                    { id: 'v2', total: 20, status: 'new v2' },
                  ]
                : [
                    { id: 'v1', total: 10, status: 'old open' },
                    { id: 'v2', total: 20, status: 'old paid' },
                  ],
          },
        },
      },
    ],
  };
}

/** A root field moved: the query goes to the new subgraph only. */
const rootOverride: OracleCase = {
  name: '@override of a root field',
  subgraphs: [
    {
      name: 'legacy',
      typeDefs: `type Query { motd: String! uptime: Int! }`,
      resolvers: { Query: { motd: () => 'old motd', uptime: () => 7 } },
    },
    {
      name: 'billing',
      typeDefs: `type Query { motd: String! @override(from: "legacy") }`,
      resolvers: { Query: { motd: () => 'new motd' } },
    },
  ],
  queries: [
    {
      name: 'moved root and a sibling that stayed',
      query: `{ motd uptime }`,
      expect: { data: { motd: 'new motd', uptime: 7 } },
    },
  ],
};

export const overrideCases: OracleCase[] = [
  overrideCase('@override without label', '@override(from: "legacy")', 'new'),
  overrideCase('@override with label percent(100)', '@override(from: "legacy", label: "percent(100)")', 'new'),
  overrideCase('@override with label percent(0)', '@override(from: "legacy", label: "percent(0)")', 'old'),
  overrideCase(
    '@override with a custom label nobody enabled',
    '@override(from: "legacy", label: "billing-migration")',
    'old',
  ),
  rootOverride,
];
