import { gateway } from '../http';
import { OWASP, type Payload, type PayloadGroup, type Target } from '../payload';

const category = OWASP.misconfiguration;
const noSuggestion = (observed: { text: string }) =>
  /did you mean/i.test(observed.text) ? 'the error suggests field names' : null;

const metricsServed = (o: { text: string }) => (/# HELP/.test(o.text) ? 'metrics served' : null);

/** /metrics of a component other than the gateway, asked without a token. */
const metricsWithoutToken = (target: Target): Payload => ({
  name: `${target} /metrics without a token`,
  category: OWASP.inventory,
  request: { target, path: '/metrics' },
  expect: { status: [401, 404], check: metricsServed },
});

const payloads: Payload[] = [
  {
    name: 'introspection: __schema',
    category,
    request: gateway('{ __schema { types { name fields { name } } } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'introspection: __type',
    category,
    request: gateway('{ __type(name: "User") { fields { name } } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'introspection hidden under an alias in a fragment',
    category,
    request: gateway('{ ...F } fragment F on Query { s: __schema { queryType { name } } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'introspection by GET with a CSRF header',
    category,
    request: {
      target: 'gateway',
      search: { query: '{ __schema { types { name } } }' },
      headers: { 'x-graphql-csrf': '1' },
    },
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'field suggestions for a misspelt field',
    category,
    request: gateway('{ offr(id: "x") { id } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', check: noSuggestion, means: 'no "Did you mean"' },
  },
  {
    name: 'field suggestions for a private field name',
    category,
    request: gateway('{ me { passwordHas } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', check: noSuggestion, means: 'no "Did you mean"' },
  },
  {
    name: 'argument suggestions',
    category,
    request: gateway('{ offers(frist: 5) { totalCount } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', check: noSuggestion, means: 'no "Did you mean"' },
  },
  {
    name: '@inaccessible field User.active',
    category: OWASP.propertyAuthorization,
    request: (actors) => gateway('query ($id: ID!) { user(id: $id) { id active } }', { id: actors.victim.id }),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: '_entities through the gateway',
    category: OWASP.propertyAuthorization,
    request: (actors) =>
      gateway('{ _entities(representations: [{ __typename: "User", id: "x" }]) { ... on User { id } } }', {
        id: actors.victim.id,
      }),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'gateway /metrics without the token',
    category: OWASP.inventory,
    request: { target: 'gateway', path: '/metrics' },
    expect: { status: [401, 403], check: metricsServed },
  },
  metricsWithoutToken('users'),
  metricsWithoutToken('registry'),
  {
    name: 'gateway /metrics with a wrong token',
    category: OWASP.inventory,
    request: { target: 'gateway', path: '/metrics', headers: { authorization: 'Bearer not-the-metrics-token-0000' } },
    expect: { status: [401, 403], check: metricsServed },
  },
];

export const discovery: PayloadGroup = { name: 'Schema discovery and internal endpoints', payloads };
