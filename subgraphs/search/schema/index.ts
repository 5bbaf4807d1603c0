import { searchOffers, type FacetBucket as Bucket, type Facets } from '../search';
import { builder } from './builder';
import './privacy';

/** Offers are owned by the offers subgraph; search only names them by key. */
const Offer = builder
  .externalRef('Offer', builder.keyDirective(builder.selection<{ id: string }>('id'), false))
  .implement({
    externalFields: () => ({}),
    fields: (t) => ({ id: t.exposeID('id') }),
  });

const FacetBucket = builder.objectRef<Bucket>('FacetBucket').implement({
  fields: (t) => ({ value: t.exposeString('value'), label: t.exposeString('label'), count: t.exposeInt('count') }),
});

const OfferFacets = builder.objectRef<Facets>('OfferFacets').implement({
  description: 'Counts over the filtered set, most frequent first (top 50 per facet).',
  fields: (t) => ({
    makes: t.field({ type: [FacetBucket], resolve: (f) => f.makes }),
    bodyTypes: t.field({ type: [FacetBucket], resolve: (f) => f.bodyTypes }),
    years: t.field({ type: [FacetBucket], resolve: (f) => f.years }),
    cities: t.field({ type: [FacetBucket], resolve: (f) => f.cities }),
  }),
});

const OfferSearchResult = builder.objectRef<ReturnType<typeof searchOffers>>('OfferSearchResult').implement({
  fields: (t) => ({
    offers: t.field({ type: [Offer], resolve: (result) => result.offers() }),
    totalCount: t.int({ resolve: (result) => result.totalCount() }),
    facets: t.field({ type: OfferFacets, resolve: (result) => result.facets() }),
  }),
});

const SearchFilter = builder.inputType('SearchFilter', {
  fields: (t) => ({
    makeId: t.id(),
    modelId: t.id(),
    bodyType: t.string(),
    city: t.string({ description: 'Case-insensitive.' }),
    priceMin: t.int(),
    priceMax: t.int(),
    yearMin: t.int(),
    yearMax: t.int(),
  }),
});

builder.queryType({
  fields: (t) => ({
    searchOffers: t.field({
      type: OfferSearchResult,
      description:
        'Full-text over title, make and model names, city; filters; facets over the filtered set. Only ACTIVE offers.',
      args: {
        text: t.arg.string(),
        filter: t.arg({ type: SearchFilter }),
        first: t.arg.int({ defaultValue: 20 }),
        offset: t.arg.int({ defaultValue: 0 }),
      },
      resolve: (_root, args, ctx) => searchOffers(ctx, args),
    }),
  }),
});

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });
