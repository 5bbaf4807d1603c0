import type { SubgraphName } from '../../../subgraphs/framework/subgraph-config';
import { OWASP, type Payload, type PayloadGroup } from '../payload';

const category = OWASP.functionAuthorization;
const unsigned = { status: 401, code: 'GATEWAY_SIGNATURE_REQUIRED' };
const SUBGRAPHS: SubgraphName[] = ['catalog', 'offers', 'users', 'reviews', 'search'];
const ENTITIES = '{ _entities(representations: [{ __typename: "User", id: "x" }]) { ... on User { id name active } } }';

const payloads: Payload[] = [
  ...SUBGRAPHS.map(
    (name): Payload => ({
      name: `${name}: unsigned query straight to the subgraph`,
      category,
      request: { target: name, json: { query: '{ __typename }' } },
      expect: unsigned,
    }),
  ),
  {
    name: 'users: _entities for the private User.active, unsigned',
    category: OWASP.propertyAuthorization,
    request: { target: 'users', json: { query: ENTITIES } },
    expect: unsigned,
  },
  {
    name: 'users: forged identity headers (x-user-id, x-roles: ADMIN)',
    category,
    request: (a) => ({
      target: 'users',
      json: { query: '{ me { email roles } }' },
      headers: { 'x-user-id': a.victim.id, 'x-roles': 'ADMIN', 'x-forwarded-user': a.victim.email },
    }),
    expect: unsigned,
  },
  {
    name: 'offers: forged signature and identity in extensions',
    category,
    request: (a) => ({
      target: 'offers',
      json: {
        query: 'mutation ($id: ID!) { updateOfferPrice(id: $id, price: 1) { id } }',
        variables: { id: a.victim.offerId },
        extensions: { 'hmac-signature': Buffer.alloc(32).toString('base64'), jwt: { payload: { sub: a.victim.id } } },
      },
    }),
    expect: { status: 403, code: 'GATEWAY_SIGNATURE_INVALID' },
  },
  {
    name: 'offers: a signature replayed with other variables',
    category,
    request: async (a) => {
      const signed = a.signedParams('query ($id: ID!) { offer(id: $id) { id } }', { id: a.victim.offerId });
      return { target: 'offers', json: { ...signed, variables: { id: '00000000-0000-4000-8000-000000000000' } } };
    },
    expect: { status: 403, code: 'GATEWAY_SIGNATURE_INVALID' },
  },
  {
    name: 'users: unsigned GET',
    category,
    request: { target: 'users', search: { query: '{ __typename }' }, headers: { 'x-graphql-csrf': '1' } },
    expect: unsigned,
  },
  {
    name: 'users: unsigned POST to /graphql/ (trailing slash)',
    category,
    request: { target: 'users', path: '/graphql/', json: { query: '{ __typename }' } },
    expect: { status: [401, 404] },
  },
  {
    name: 'users: unsigned text/plain POST',
    category,
    request: {
      target: 'users',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    },
    expect: unsigned,
  },
  {
    name: 'users: signed _entities for a private field through a signed request with a forged token',
    category: OWASP.propertyAuthorization,
    request: async (a) => ({
      target: 'users',
      json: a.signedParams(ENTITIES),
      headers: { authorization: 'Bearer not.a.token' },
    }),
    expect: { status: 200, code: 'UNAUTHENTICATED' },
  },
  {
    name: 'search: offer events without the internal token',
    category,
    request: { target: 'search', path: '/events/offers', json: { type: 'offer.deleted', offerId: 'x' } },
    // 404: with Redis the events travel through BullMQ and the HTTP endpoint does not exist.
    expect: { status: [401, 403, 404] },
  },
];

export const subgraphs: PayloadGroup = { name: 'Subgraphs called directly', payloads };
