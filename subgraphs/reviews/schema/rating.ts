import type { InferSelectModel } from 'drizzle-orm';
import type { modelRatings } from '../db/schema';
import { builder } from './builder';

export const RatingSummary = builder.objectRef<InferSelectModel<typeof modelRatings>>('RatingSummary').implement({
  description:
    "A model's ratings: kept in the same transaction as each review, so count equals the reviews' totalCount.",
  fields: (t) => ({
    average: t.float({ resolve: (rating) => rating.sum / rating.count }),
    count: t.exposeInt('count'),
  }),
});
