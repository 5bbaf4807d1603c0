import { afterAll, describe, expect, test } from 'bun:test';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { errorCodes, gql } from '../../../tests/support/graphql';
import { touchesProtectedField as touches } from '../../security/authorization';
import { startTestGateway, stopTestGateways } from '../harness';
import { gatewayCounter } from '../metrics';

afterAll(stopTestGateways);

// Which operations can touch a protected field at all (the others are "skipped" in the metrics);
// these pin down "can" on the shapes that matter. (That protected fields are refused is proven
// through real gateways in authorization.test.ts and plugins.test.ts.)
const schema = buildSchema(/* GraphQL */ `
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION
  interface Node { id: ID! }
  type Offer implements Node { id: ID! title: String! sellerEmail: String @authenticated }
  type AuditEntry implements Node @requiresScopes(scopes: [["ADMIN"]]) { id: ID! what: String! }
  type Make { name: String! secret: String @policy(policies: [["internal"]]) }
  union Thing = Offer | Make
  type Query {
    makes: [Make!]!
    offers: [Offer!]!
    node(id: ID!): Node
    things: [Thing!]!
    me: String @authenticated
  }
  type Mutation { createOffer(title: String!): Offer @requiresScopes(scopes: [["SELLER"], ["DEALER"]]) }
`);

const touchesProtectedField = (schema: Parameters<typeof touches>[0], text: string) => {
  const document = parse(text);
  return touches(schema, document, getOperationAST(document)!);
};

describe('which operations can touch a protected field', () => {
  test('plain reads of unprotected fields cannot', () => {
    expect(touchesProtectedField(schema, '{ makes { name } offers { id title } }')).toBe(false);
    expect(touchesProtectedField(schema, 'query Q { things { ... on Make { name } } }')).toBe(false);
  });

  test('a protected field, type, policy or mutation can, however deep or aliased', () => {
    expect(touchesProtectedField(schema, '{ me }')).toBe(true);
    expect(touchesProtectedField(schema, '{ offers { email: sellerEmail } }')).toBe(true);
    expect(touchesProtectedField(schema, '{ makes { secret } }')).toBe(true);
    expect(touchesProtectedField(schema, 'mutation { createOffer(title: "x") { id } }')).toBe(true);
    expect(touchesProtectedField(schema, 'fragment F on Offer { sellerEmail } { offers { ...F } }')).toBe(true);
  });

  test("through an interface or union, any possible type's field counts", () => {
    // AuditEntry's rule is on the type: it applies where the client selects on AuditEntry itself.
    expect(touchesProtectedField(schema, '{ node(id: "1") { id } }')).toBe(false);
    expect(touchesProtectedField(schema, '{ node(id: "1") { ... on AuditEntry { what } } }')).toBe(true);
    expect(touchesProtectedField(schema, '{ things { ... on Offer { sellerEmail } } }')).toBe(true);
  });
});

describe('through a real gateway', () => {
  test('an operation with no protected field skips the walk; one with a protected field is still refused', async () => {
    const gateway = await startTestGateway({ RESPONSE_CACHE: 'off' });
    const walks = (result: string) =>
      gatewayCounter(gateway, 'autograph_gateway_authorization_walks_total', { result });
    const [skipped, walked] = [await walks('skipped'), await walks('walked')];
    const open = await gql(gateway.url, '{ makes { name } }');
    expect(open.errors).toBeUndefined();
    expect(await walks('skipped')).toBe(skipped + 1);

    const guarded = await gql(gateway.url, '{ makes { name } me { email } }');
    expect(errorCodes(guarded)).toEqual(['UNAUTHENTICATED']);
    expect(guarded.data?.makes.length).toBeGreaterThan(0);
    expect(await walks('walked')).toBe(walked + 1);
  });
});
