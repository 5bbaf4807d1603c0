import { gateway } from '../http';
import { OWASP, type Payload, type PayloadGroup } from '../payload';

const category = OWASP.resourceConsumption;
/** Refused before execution, as the gateway's limits refuse (HTTP 400 with the limit's code). */
const refused = (code: string) => ({ status: 400, code });

/** `makes { models { make { models { … } } } }`: `levels` fields deep, all on the catalog. */
function deepQuery(levels: number): string {
  let selection = 'id';
  for (let level = levels - 1; level >= 1; level--) selection = `${level % 2 ? 'models' : 'make'} { ${selection} }`;
  return `{ makes { ${selection} } }`;
}

const repeat = (count: number, text: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => text(i)).join(' ');

const payloads: Payload[] = [
  { name: 'depth 13 (limit 12)', category, request: gateway(deepQuery(13)), expect: refused('QUERY_TOO_DEEP') },
  { name: 'depth 200', category, request: gateway(deepQuery(200)), expect: refused('QUERY_TOO_DEEP') },
  {
    name: 'depth through nested inline fragments',
    category,
    request: gateway(`{ makes { ${repeat(14, () => '... on Make { models { make {')} id ${'} } }'.repeat(14)} } }`),
    expect: refused('QUERY_TOO_DEEP'),
  },
  {
    name: '31 aliases (limit 30)',
    category,
    request: gateway(`{ ${repeat(31, (i) => `a${i}: makes { id }`)} }`),
    expect: refused('TOO_MANY_ALIASES'),
  },
  {
    name: 'alias bomb: 1,000 aliased offer lists',
    category,
    request: gateway(`{ ${repeat(1000, (i) => `o${i}: offers(first: 100) { totalCount }`)} }`),
    expect: { status: [400, 413], code: ['TOO_MANY_ALIASES', 'TOO_MANY_TOKENS', 'PAYLOAD_TOO_LARGE'] },
  },
  {
    name: 'field duplication: one field 2,500 times',
    category,
    request: gateway(`{ makes { ${repeat(2500, () => 'name')} } }`),
    expect: refused('TOO_MANY_TOKENS'),
  },
  {
    name: '40 directives on one field (limit 30)',
    category,
    request: gateway(`{ makes ${repeat(40, () => '@include(if: true)')} { id } }`),
    expect: refused('TOO_MANY_DIRECTIVES'),
  },
  {
    name: 'unknown directive',
    category,
    request: gateway('{ makes @cached(ttl: 100000) { id } }'),
    expect: refused('GRAPHQL_VALIDATION_FAILED'),
  },
  {
    name: 'fragment cycle',
    category,
    request: gateway(
      'query { makes { ...A } } fragment A on Make { models { make { ...B } } } fragment B on Make { ...A }',
    ),
    expect: refused('GRAPHQL_VALIDATION_FAILED'),
  },
  {
    name: 'self-spreading fragment',
    category,
    request: gateway('query { makes { ...A } } fragment A on Make { id ...A }'),
    expect: refused('GRAPHQL_VALIDATION_FAILED'),
  },
  {
    name: 'cost bomb via list sizes: 100 × 100 × 100 nested offers',
    category,
    request: gateway(
      '{ offers(first: 100) { edges { node { model { offers(first: 100) { edges { node { seller { offers(first: 100) { edges { node { id title } } } } } } } } } } } }',
    ),
    expect: refused('QUERY_TOO_COMPLEX'),
  },
  {
    name: 'cost bomb via variable defaults',
    category,
    request: gateway(
      'query ($n: Int = 100) { offers(first: $n) { edges { node { seller { offers(first: $n) { edges { node { model { reviews(first: $n) { edges { node { id text } } } } } } } } } } } }',
    ),
    expect: refused('QUERY_TOO_COMPLEX'),
  },
  {
    name: 'cost bomb via variables (defaults small, values large)',
    category,
    request: gateway(
      'query ($n: Int = 1) { offers(first: $n) { edges { node { seller { offers(first: $n) { edges { node { model { reviews(first: $n) { edges { node { id } } } } } } } } } } } }',
      { n: 100 },
    ),
    expect: refused('QUERY_TOO_COMPLEX'),
  },
  {
    name: 'unbounded lists: every make, model, generation and offer',
    category,
    request: gateway(
      '{ makes { models { generations { model { offers(first: 100) { edges { node { seller { reviews(first: 100) { totalCount } } } } } } } } } }',
    ),
    expect: refused('QUERY_TOO_COMPLEX'),
  },
];

export const queryLimits: PayloadGroup = { name: 'Query limits and cost', payloads };
