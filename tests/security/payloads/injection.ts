import { gateway } from '../http';
import { OWASP, type Expectation, type Observed, type Payload, type PayloadGroup } from '../payload';

const category = OWASP.injection;

/** No error at all, and `wrong` says nothing is amiss with the data. */
const answered =
  (wrong: (data: any) => string | null = () => null) =>
  (o: Observed) =>
    o.body?.errors?.length ? `errors: ${o.codes.join(', ')}` : wrong(o.body?.data);
/** A string that can name nothing: no match, or refused as bad input. */
const matchesNothing = (count: (data: any) => number): Expectation => ({
  status: [200, 400],
  check: (o) =>
    o.codes.length
      ? o.codes.every((c) => c === 'BAD_USER_INPUT')
        ? null
        : `codes ${o.codes}`
      : count(o.body?.data) > 0
        ? 'it matched rows'
        : null,
  means: 'matches nothing (or BAD_USER_INPUT)',
});
const quick = (expect: Expectation): Expectation => ({
  ...expect,
  check: (o) => (o.ms > 2_000 ? `took ${o.ms} ms` : (expect.check?.(o) ?? null)),
});
const badInput: Expectation = { status: [200, 400], code: 'BAD_USER_INPUT' };

/** Strings that mean something to SQL, LIKE patterns or the database: each must stay a plain value. */
const SQL_AND_LIKE = [
  { label: 'SQL quote', value: "' OR '1'='1' --" },
  { label: 'LIKE %', value: '%' },
  { label: 'LIKE _', value: '_____' },
  { label: 'escaped LIKE \\%', value: '\\%' },
  { label: 'stacked statement with pg_sleep', value: "'); select pg_sleep(3); --" },
];

/** String arguments that filter rows: a metacharacter must match no row. */
const FILTERS: { name: string; query: string; count: (data: any) => number }[] = [
  {
    name: 'offers(filter.city)',
    query: 'query ($s: String) { offers(filter: { city: $s, status: null }) { totalCount } }',
    count: (d) => d?.offers?.totalCount ?? 0,
  },
  {
    name: 'searchOffers(filter.city)',
    query: 'query ($s: String) { searchOffers(filter: { city: $s }) { totalCount } }',
    count: (d) => d?.searchOffers?.totalCount ?? 0,
  },
  {
    name: 'searchOffers(filter.bodyType)',
    query: 'query ($s: String) { searchOffers(filter: { bodyType: $s }) { totalCount } }',
    count: (d) => d?.searchOffers?.totalCount ?? 0,
  },
];

/** ID arguments: a metacharacter names nothing. */
const IDS: { name: string; query: string; count: (data: any) => number }[] = [
  { name: 'offer(id)', query: 'query ($s: ID!) { offer(id: $s) { id } }', count: (d) => (d?.offer ? 1 : 0) },
  { name: 'user(id)', query: 'query ($s: ID!) { user(id: $s) { id } }', count: (d) => (d?.user ? 1 : 0) },
  { name: 'review(id)', query: 'query ($s: ID!) { review(id: $s) { id } }', count: (d) => (d?.review ? 1 : 0) },
  { name: 'models(ids)', query: 'query ($s: ID!) { models(ids: [$s]) { id } }', count: (d) => d?.models?.length ?? 0 },
  {
    name: 'offers(filter.sellerId)',
    query: 'query ($s: ID) { offers(filter: { sellerId: $s, status: null }) { totalCount } }',
    count: (d) => d?.offers?.totalCount ?? 0,
  },
];

/** tsquery syntax in the full-text search: plain punctuation, never an error. */
const TSQUERY = ["!(audi | bmw) & kia:* <-> 'x'", '\\\\:*&&&|||!!!((', '"unterminated phrase', ':* & !'];

const payloads: Payload[] = [
  ...FILTERS.flatMap((filter) =>
    SQL_AND_LIKE.map(
      (meta): Payload => ({
        name: `${filter.name}: ${meta.label}`,
        category,
        request: gateway(filter.query, { s: meta.value }),
        expect: quick(matchesNothing(filter.count)),
      }),
    ),
  ),
  ...IDS.flatMap((id) =>
    SQL_AND_LIKE.slice(0, 2).map(
      (meta): Payload => ({
        name: `${id.name}: ${meta.label}`,
        category,
        request: gateway(id.query, { s: meta.value }),
        expect: quick(matchesNothing(id.count)),
      }),
    ),
  ),
  ...TSQUERY.map(
    (text): Payload => ({
      name: `searchOffers(text): tsquery syntax ${JSON.stringify(text)}`,
      category,
      request: gateway('query ($s: String) { searchOffers(text: $s) { totalCount } }', { s: text }),
      expect: quick({ status: 200, check: answered(), means: 'an answer, no error' }),
    }),
  ),
  {
    name: 'offers(after): forged cursor',
    category,
    request: gateway('query ($s: String) { offers(after: $s) { totalCount } }', { s: "' OR 1=1 --" }),
    expect: badInput,
  },
  {
    name: 'createOffer(title): SQL stored as plain text',
    category,
    request: (a) =>
      gateway(
        'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { title city } }',
        {
          input: {
            modelId: a.modelId,
            title: "Car'); drop table offers.offers; --",
            price: 100,
            year: 2020,
            mileageKm: 1,
            city: '%_\\',
          },
        },
        a.attacker.accessToken,
      ),
    expect: {
      status: 200,
      check: answered((d) =>
        d?.createOffer?.title === "Car'); drop table offers.offers; --" && d.createOffer.city === '%_\\'
          ? null
          : 'the text did not round-trip',
      ),
      means: 'stored and returned exactly as sent',
    },
  },
  {
    name: 'NUL byte in a variable',
    category,
    request: gateway('query ($s: String) { offers(filter: { city: $s }) { totalCount } }', { s: 'Kazan\u0000' }),
    expect: badInput,
  },
  {
    name: 'NUL byte in a string literal',
    category,
    request: gateway('{ searchOffers(text: "audi\\u0000") { totalCount } }'),
    expect: badInput,
  },
  {
    name: 'NUL byte inside a mutation’s input object',
    category,
    request: (a) =>
      gateway(
        'mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }',
        { input: { modelId: a.modelId, rating: 5, text: 'Fine car\u0000, no complaints' } },
        a.attacker.accessToken,
      ),
    expect: badInput,
  },
  {
    name: 'lone surrogate in a variable (JSON "\\ud800")',
    category,
    request: {
      target: 'gateway',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"query ($s: String) { searchOffers(text: $s) { totalCount } }","variables":{"s":"a\\ud800b"}}',
    },
    expect: badInput,
  },
  {
    name: 'lone surrogate in a string literal',
    category,
    request: gateway('{ offers(filter: { city: "\\uDC00" }) { totalCount } }'),
    expect: { status: 400, code: ['GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT'] },
  },
  {
    name: 'invalid UTF-8 bytes in the body',
    category,
    request: {
      target: 'gateway',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([
        ...new TextEncoder().encode('{"query":"{ searchOffers(text: \\"a'),
        0xff,
        0xfe,
        0xc3,
        ...new TextEncoder().encode('\\") { totalCount } }"}'),
      ]),
    },
    expect: { status: [200, 400], means: 'answered or refused, never 5xx' },
  },
  {
    name: 'Int above 2^31 as a literal',
    category,
    request: gateway('{ offers(first: 2147483648) { totalCount } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'Int above 2^31 in a variable',
    category,
    request: gateway('query ($n: Int) { offers(first: $n) { totalCount } }', { n: 10_000_000_000 }),
    expect: badInput,
  },
  {
    name: 'huge first (1,000,000)',
    category: OWASP.resourceConsumption,
    request: gateway('query ($n: Int) { offers(first: $n) { edges { node { id } } } }', { n: 1_000_000 }),
    expect: { status: [200, 400], code: ['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX'] },
  },
  {
    name: 'negative first',
    category,
    request: gateway('{ offers(first: -1) { totalCount } }'),
    expect: badInput,
  },
  {
    name: 'searchOffers offset 2^31 - 1',
    category: OWASP.resourceConsumption,
    request: gateway('{ searchOffers(offset: 2147483647, first: 100) { totalCount offers { id } } }'),
    expect: quick({
      status: [200, 400],
      check: (o) => (o.codes.some((c) => c !== 'BAD_USER_INPUT') ? `codes ${o.codes}` : null),
    }),
  },
  {
    name: 'price -2^31 on one’s own offer',
    category,
    request: (a) =>
      gateway(
        'mutation ($id: ID!) { updateOfferPrice(id: $id, price: -2147483648) { price } }',
        { id: a.victim.offerId },
        a.victim.accessToken,
      ),
    expect: badInput,
  },
  {
    name: 'Float where an Int is expected',
    category,
    request: gateway('{ offers(first: 1.5) { totalCount } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
];

export const injection: PayloadGroup = { name: 'Injection and malformed input', payloads };
