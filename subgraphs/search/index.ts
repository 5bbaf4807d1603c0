import { fileURLToPath } from 'node:url';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { type BaseContext, defineSubgraph, type ErasureTask } from '../framework';
import { consumeOfferEvents, createInProcessQueue, INTERNAL_TOKEN_HEADER, type OfferEvent } from '../offers/events';
import { createCatalogClient } from '../catalog/client';
import { loadSearchConfig } from './config';
import type { SearchContext } from './context';
import { tables } from './db/schema';
import { indexOffers } from './indexer';
import { eraseSellerDocuments } from './privacy';
import { schema } from './schema';

const eventBody = z.object({
  type: z.literal('offer.changed'),
  offer: z.object({
    id: z.uuid(),
    sellerId: z.uuid(),
    modelId: z.uuid(),
    makeId: z.string(),
    title: z.string(),
    price: z.number().int(),
    currency: z.string(),
    year: z.number().int(),
    mileageKm: z.number().int(),
    city: z.string(),
    status: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  }),
});

export default defineSubgraph<SearchContext, typeof tables>({
  name: 'search',
  schema,
  tables,
  migrationsFolder: fileURLToPath(new URL('./drizzle', import.meta.url)),
  setup: async ({ config, database, logger }) => {
    const own = loadSearchConfig();
    const catalog = createCatalogClient({ url: own.catalogUrl, hmacSecret: config.gatewayHmacSecret });
    const handle = (event: OfferEvent) => indexOffers(database.db, catalog, [event.offer]);
    const context = (base: BaseContext): SearchContext => ({ ...base, db: database.db });
    const erase = (task: ErasureTask) => eraseSellerDocuments(database.db, task);

    if (config.redis) {
      const consumer = consumeOfferEvents({ redis: config.redis, queuePrefix: own.queuePrefix, logger, handle });
      return { context, erase, onStop: () => consumer.close() };
    }

    if (own.internalToken === 'dev-internal-token')
      logger.warn('INTERNAL_EVENTS_TOKEN is not set: using the development default');
    const queue = createInProcessQueue({ logger, handle });
    const expected = Buffer.from(own.internalToken);
    return {
      context,
      erase,
      onStop: () => queue.close(),
      routes: {
        '/events/offers': async (request: Request) => {
          if (request.method !== 'POST') return Response.json({ error: 'POST only' }, { status: 405 });
          const token = Buffer.from(request.headers.get(INTERNAL_TOKEN_HEADER) ?? '');
          if (token.length !== expected.length || !timingSafeEqual(token, expected)) {
            return Response.json({ error: 'invalid internal token' }, { status: 401 });
          }
          const parsed = eventBody.safeParse(await request.json().catch(() => null));
          if (!parsed.success)
            return Response.json({ error: parsed.error.issues.map((i) => i.message).join('; ') }, { status: 400 });
          if (!queue.push(parsed.data))
            return Response.json(
              { error: 'event queue is full; retry later' },
              { status: 503, headers: { 'retry-after': '1' } },
            );
          return Response.json({ accepted: true }, { status: 202 });
        },
      },
    };
  },
});
