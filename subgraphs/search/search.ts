import { and, desc, eq, gte, lte, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { Counter } from 'prom-client';
import { badInput, isId } from '../framework';
import type { SearchContext } from './context';
import { offerDocuments } from './db/schema';

// Once per process, in the default registry the subgraph's /metrics serves (business dashboard).
const searches = new Counter({
  name: 'autograph_searches_total',
  help: 'Searches run by the search subgraph, by whether they had text (answers from the gateway cache are not counted)',
  labelNames: ['text'],
});
const [withText, withoutText] = [searches.labels({ text: 'yes' }), searches.labels({ text: 'no' })];

/** DESC NULLS LAST, as offer_documents_created_idx is built: plain DESC (NULLS FIRST) would not use it. */
const newestFirst = (column: SQLWrapper) => sql`${column} desc nulls last`;

export interface SearchFilter {
  makeId?: string | null;
  modelId?: string | null;
  bodyType?: string | null;
  city?: string | null;
  priceMin?: number | null;
  priceMax?: number | null;
  yearMin?: number | null;
  yearMax?: number | null;
}

export interface FacetBucket {
  value: string;
  label: string;
  count: number;
}

export interface Facets {
  makes: FacetBucket[];
  bodyTypes: FacetBucket[];
  years: FacetBucket[];
  cities: FacetBucket[];
}

const FACET_LIMIT = 50;
const MAX_OFFSET = 10_000;
/** Search text, in characters after trimming. */
const MAX_SEARCH_TEXT_LENGTH = 200;
/** Words in the search text (runs of letters and digits: what become lexemes of the query). */
const MAX_SEARCH_TERMS = 16;

/**
 * The search text as a bounded, parameterised tsquery. `websearch_to_tsquery` never fails on
 * syntax: tsquery operators and metacharacters (`:*`, `&|!()`, `<->`, backslashes) are plain
 * punctuation to it, `"…"` is a phrase, `-word` excludes and `or` alternates, and the text is a
 * bind parameter, never SQL. What it does not bound is size: 40,000 words build a tsquery too
 * deep for PostgreSQL ("stack depth limit exceeded") and 30 KB of text takes seconds, so length
 * and word count are refused past MAX_SEARCH_TEXT_LENGTH and MAX_SEARCH_TERMS. No LIKE pattern
 * is built from the text, so `%` and `_` are plain characters.
 */
function searchQuery(raw: string | null | undefined): SQL | null {
  const text = raw?.trim();
  if (!text) return null;
  const length = [...text].length;
  if (length > MAX_SEARCH_TEXT_LENGTH)
    throw badInput(`text must be at most ${MAX_SEARCH_TEXT_LENGTH} characters, got ${length}`, 'text');
  const terms = text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
  if (terms > MAX_SEARCH_TERMS)
    throw badInput(`text must have at most ${MAX_SEARCH_TERMS} words, got ${terms}`, 'text');
  // Only punctuation: nothing to search for, so no text condition (an empty tsquery matches nothing).
  if (terms === 0) return null;
  return sql`websearch_to_tsquery('simple', ${text})`;
}

/**
 * `searchOffers`: one statement for the page of IDs and, only if totalCount or facets are
 * selected, one GROUPING SETS statement that counts every facet (and the total) at once.
 */
export function searchOffers(
  ctx: SearchContext,
  args: { text?: string | null; filter?: SearchFilter | null; first?: number | null; offset?: number | null },
) {
  const first = args.first ?? 20;
  const offset = args.offset ?? 0;
  if (!Number.isInteger(first) || first < 0 || first > 100)
    throw badInput(`first must be between 0 and 100, got ${first}`, 'first');
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET)
    throw badInput(`offset must be between 0 and ${MAX_OFFSET}`, 'offset');
  const query = searchQuery(args.text);
  const condition = whereOf(args.filter ?? {}, query);
  (query ? withText : withoutText).inc();

  let counted: Promise<{ total: number; facets: Facets }> | undefined;
  const counts = () =>
    (counted ??=
      condition === false ? Promise.resolve({ total: 0, facets: emptyFacets() }) : countFacets(ctx, condition));

  return {
    offers: async () => {
      if (condition === false || first === 0) return [];
      const rows = await ctx.db
        .select({ id: offerDocuments.offerId })
        .from(offerDocuments)
        .where(condition)
        .orderBy(
          ...(query
            ? [desc(sql`ts_rank(${offerDocuments.document}, ${query})`), newestFirst(offerDocuments.createdAt)]
            : [newestFirst(offerDocuments.createdAt)]),
          newestFirst(offerDocuments.offerId),
        )
        .limit(first)
        .offset(offset);
      return rows;
    },
    totalCount: async () => (await counts()).total,
    facets: async () => (await counts()).facets,
  };
}

function whereOf(filter: SearchFilter, query: SQL | null): SQL | undefined | false {
  for (const id of [filter.makeId, filter.modelId]) if (id != null && !isId(id)) return false;
  return and(
    query ? sql`${offerDocuments.document} @@ ${query}` : undefined,
    filter.makeId != null ? eq(offerDocuments.makeId, filter.makeId.toLowerCase()) : undefined,
    filter.modelId != null ? eq(offerDocuments.modelId, filter.modelId.toLowerCase()) : undefined,
    filter.bodyType != null ? eq(offerDocuments.bodyType, filter.bodyType.toUpperCase()) : undefined,
    filter.city != null ? sql`lower(${offerDocuments.city}) = lower(${filter.city})` : undefined,
    filter.priceMin != null ? gte(offerDocuments.price, filter.priceMin) : undefined,
    filter.priceMax != null ? lte(offerDocuments.price, filter.priceMax) : undefined,
    filter.yearMin != null ? gte(offerDocuments.year, filter.yearMin) : undefined,
    filter.yearMax != null ? lte(offerDocuments.year, filter.yearMax) : undefined,
  );
}

interface FacetRow extends Record<string, unknown> {
  facet: 'make' | 'body' | 'year' | 'city';
  value: string;
  label: string;
  n: number;
}

async function countFacets(ctx: SearchContext, condition: SQL | undefined) {
  const d = offerDocuments;
  const rows = await ctx.db.execute<FacetRow>(sql`
    select case when grouping(${d.makeId}) = 0 then 'make'
                when grouping(${d.bodyType}) = 0 then 'body'
                when grouping(${d.year}) = 0 then 'year'
                else 'city' end as facet,
           coalesce(${d.makeId}::text, ${d.bodyType}, ${d.year}::text, ${d.city}) as value,
           coalesce(min(${d.makeName}), ${d.bodyType}, ${d.year}::text, ${d.city}) as label,
           count(*)::int as n
    from ${d}
    ${condition ? sql`where ${condition}` : sql``}
    group by grouping sets ((${d.makeId}), (${d.bodyType}), (${d.year}), (${d.city}))`);
  const facets = emptyFacets();
  const bucketsOf = { make: facets.makes, body: facets.bodyTypes, year: facets.years, city: facets.cities };
  let total = 0;
  for (const row of rows) {
    bucketsOf[row.facet].push({ value: row.value, label: row.label, count: row.n });
    if (row.facet === 'body') total += row.n; // every document has exactly one body type
  }
  for (const list of Object.values(bucketsOf)) {
    list.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
    list.splice(FACET_LIMIT);
  }
  return { total, facets };
}

const emptyFacets = (): Facets => ({ makes: [], bodyTypes: [], years: [], cities: [] });
