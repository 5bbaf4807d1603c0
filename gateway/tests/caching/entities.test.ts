import { describe, expect, test } from 'bun:test';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { documentPolicy } from '../../caching/document-policy';
import { collectEntities, UNKNOWN_ID } from '../../caching/entities';
import { coercedVariables } from '../../operation/variables';

/** What the response cache reads from a document and a result, without touching the operation. */

const schema = buildSchema(`
  type Query { offers: [Offer!]! node(id: ID!): Node me: Viewer search: [Result!]! }
  interface Node { id: ID! }
  type Offer implements Node { id: ID! title: String! seller: User }
  type User implements Node { id: ID! name: String! }
  type Make implements Node { id: ID! name: String! }
  type Viewer { email: String! }
  union Result = Offer | Make
  type Mutation { updateOffer(id: ID!): Offer }
`);

const entities = (query: string, data: unknown, variables?: Record<string, unknown>) => {
  const document = parse(query);
  const operation = getOperationAST(document)!;
  const keys = collectEntities(
    schema,
    document,
    operation,
    coercedVariables(schema, operation, variables, {})!,
    data,
  ).map(({ typename, id }) => `${typename}:${id}`);
  return keys.sort();
};

describe('entities of a result', () => {
  test('an id the client selected, under any alias, identifies the entity', () => {
    const data = {
      offers: [
        { key: 'o1', seller: { id: 'u1' } },
        { key: 'o2', seller: null },
      ],
    };
    expect(entities('{ offers { key: id seller { id } } }', data)).toEqual([
      'Offer:o1',
      'Offer:o2',
      'User:?',
      'User:u1',
    ]);
  });

  test('without a selected id the entity is recorded as unknown: any change to its type evicts it', () => {
    expect(entities('{ offers { title } }', { offers: [{ title: 'a' }] })).toEqual([`Offer:${UNKNOWN_ID}`]);
    // An empty list could have held any offer: creating one must evict this answer too.
    expect(entities('{ offers { id } }', { offers: [] })).toEqual([`Offer:${UNKNOWN_ID}`]);
  });

  test('an abstract field takes its type from the __typename the client selected, else every possible type', () => {
    const withTypename = { node: { t: 'Make', id: 'm1' } };
    expect(entities('{ node(id: "m1") { t: __typename id } }', withTypename)).toEqual(['Make:m1']);
    expect(entities('{ node(id: "m1") { id } }', { node: { id: 'm1' } })).toEqual(['Make:?', 'Offer:?', 'User:?']);
    const search = {
      search: [
        { __typename: 'Offer', id: 'o1', title: 'x' },
        { __typename: 'Make', name: 'BMW' },
      ],
    };
    expect(entities('{ search { __typename ... on Offer { id title } ... on Make { name } } }', search)).toEqual([
      'Make:?',
      'Offer:o1',
    ]);
  });

  test('follows named fragments and leaves out what @skip/@include removed, defaults applied', () => {
    const query =
      'query ($full: Boolean = false) { offers { ...O } } fragment O on Offer { id seller @include(if: $full) { id } }';
    expect(entities(query, { offers: [{ id: 'o1' }] })).toEqual(['Offer:o1']);
    expect(entities(query, { offers: [{ id: 'o1', seller: { id: 'u9' } }] }, { full: true })).toEqual([
      'Offer:o1',
      'User:u9',
    ]);
  });

  test('reads a mutation result the same way', () => {
    expect(entities('mutation { updateOffer(id: "o1") { id } }', { updateOffer: { id: 'o1' } })).toEqual(['Offer:o1']);
    expect(entities('mutation { updateOffer(id: "o1") { title } }', { updateOffer: { title: 'x' } })).toEqual([
      `Offer:${UNKNOWN_ID}`,
    ]);
  });
});

describe('document policy', () => {
  const policy = (query: string, ttls: Record<string, number>, privateCoordinates: string[] = []) => {
    const document = parse(query);
    return documentPolicy(schema, document, getOperationAST(document)!, ttls, new Set(privateCoordinates));
  };

  test('the TTL is the shortest of the fields selected and the types they may return', () => {
    expect(policy('{ offers { id } }', { Offer: 15_000, 'Query.offers': 20_000 }).ttl).toBe(15_000);
    expect(policy('{ offers { id } }', { User: 1_000 }).ttl).toBeUndefined();
    // Any member of a union or interface could be in the answer.
    expect(policy('{ search { __typename } }', { Make: 300_000, Offer: 15_000 }).ttl).toBe(15_000);
    expect(policy('{ node(id: "1") { ... on Make { name } } }', { User: 2_000, Make: 300_000 }).ttl).toBe(2_000);
  });

  test('introspection is never cached; private coordinates are found through fragments', () => {
    expect(policy('{ __schema { queryType { name } } }', {}).ttl).toBe(0);
    expect(policy('{ ...V } fragment V on Query { me { email } }', {}, ['Viewer']).private).toBe(true);
    expect(policy('{ offers { id } }', {}, ['Viewer', 'Query.me']).private).toBe(false);
  });
});
