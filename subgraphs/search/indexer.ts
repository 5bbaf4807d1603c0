import { and, eq, lte, notInArray, sql } from 'drizzle-orm';
import { withGatewaySignature } from '../framework';
import type { CatalogClient } from '../catalog/client';
import type { Database } from '../../kit/db';
import type { OfferSnapshot } from '../offers/events';
import { offerDocuments, type tables } from './db/schema';

type Db = Database<typeof tables>['db'];

/**
 * Keeps search.offer_documents in step with offers: ACTIVE offers are upserted with the catalog's
 * make and model names folded in, anything else is removed. Idempotent, so retries and replays
 * are harmless, and a snapshot older than the indexed one (by the offer's updated_at) is ignored.
 */
export async function indexOffers(db: Db, catalog: CatalogClient, snapshots: OfferSnapshot[]): Promise<void> {
  const active = snapshots.filter((o) => o.status === 'ACTIVE');
  for (const offer of snapshots.filter((o) => o.status !== 'ACTIVE')) {
    await db
      .delete(offerDocuments)
      .where(and(eq(offerDocuments.offerId, offer.id), lte(offerDocuments.sourceUpdatedAt, new Date(offer.updatedAt))));
  }
  if (active.length === 0) return;
  const models = await catalog.getModels(active.map((o) => o.modelId));
  const rows = active.flatMap((offer) => {
    const model = models.get(offer.modelId);
    if (!model) return []; // a model the catalog no longer knows cannot be faceted; skip it
    return [
      {
        offerId: offer.id,
        sellerId: offer.sellerId,
        title: offer.title,
        makeId: model.make.id,
        makeName: model.make.name,
        modelId: model.id,
        modelName: model.name,
        bodyType: model.bodyType,
        city: offer.city,
        price: offer.price,
        year: offer.year,
        mileageKm: offer.mileageKm,
        createdAt: new Date(offer.createdAt),
        sourceUpdatedAt: new Date(offer.updatedAt),
        indexedAt: new Date(),
      },
    ];
  });
  if (rows.length === 0) return;
  await db
    .insert(offerDocuments)
    .values(rows)
    .onConflictDoUpdate({
      target: offerDocuments.offerId,
      set: Object.fromEntries(
        [
          'title',
          'seller_id',
          'make_id',
          'make_name',
          'model_id',
          'model_name',
          'body_type',
          'city',
          'price',
          'year',
          'mileage_km',
          'created_at',
          'source_updated_at',
          'indexed_at',
        ].map((column) => [camel(column), sql.raw(`excluded.${column}`)]),
      ),
      setWhere: sql`${offerDocuments.sourceUpdatedAt} <= excluded.source_updated_at`,
    });
}

const camel = (snake: string) => snake.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

const PAGE_QUERY = /* GraphQL */ `
  query ReindexPage($after: String) {
    offers(first: 100, after: $after, filter: { status: ACTIVE }) {
      edges { node { id title price currency year mileageKm city status createdAt updatedAt model { id } seller { id } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

/**
 * Full rebuild from the offers subgraph's public API (search never reads another subgraph's
 * tables): pages through every ACTIVE offer, indexes each page, then drops documents of offers
 * that were not seen.
 */
export async function reindexFromOffers(options: {
  db: Db;
  catalog: CatalogClient;
  offersUrl: string;
  hmacSecret?: string;
  log?: (message: string) => void;
}) {
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const response = await fetch(options.offersUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(withGatewaySignature(options.hmacSecret, { query: PAGE_QUERY, variables: { after } })),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as {
      data?: { offers: { edges: { node: any }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
      errors?: { message: string }[];
    };
    if (!body.data)
      throw new Error(`offers query failed: ${body.errors?.map((e) => e.message).join('; ') ?? response.status}`);
    const page = body.data.offers;
    await indexOffers(
      options.db,
      options.catalog,
      page.edges.map(({ node }) => ({
        id: node.id,
        sellerId: node.seller.id,
        modelId: node.model.id,
        makeId: '',
        title: node.title,
        price: node.price,
        currency: node.currency,
        year: node.year,
        mileageKm: node.mileageKm,
        city: node.city,
        status: node.status,
        createdAt: node.createdAt,
        updatedAt: node.updatedAt,
      })),
    );
    seen.push(...page.edges.map((e) => e.node.id as string));
    if (seen.length % 5000 < 100) options.log?.(`indexed ${seen.length} offers`);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  const removed =
    seen.length > 0
      ? await options.db
          .delete(offerDocuments)
          .where(notInArray(offerDocuments.offerId, seen))
          .returning({ id: offerDocuments.offerId })
      : await options.db.delete(offerDocuments).returning({ id: offerDocuments.offerId });
  return { indexed: seen.length, removed: removed.length };
}
