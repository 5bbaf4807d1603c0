import { asc, inArray } from 'drizzle-orm';
import { byKey, defineLoader, groupByKey } from '../kit';
import type { CatalogContext } from './context';
import { generations, makes, models } from './db/schema';

export const makeById = defineLoader(async (ids: readonly string[], ctx: CatalogContext) =>
  byKey(ids, await ctx.db.select().from(makes).where(inArray(makes.id, [...ids])), (row) => row.id),
);

export const modelById = defineLoader(async (ids: readonly string[], ctx: CatalogContext) =>
  byKey(ids, await ctx.db.select().from(models).where(inArray(models.id, [...ids])), (row) => row.id),
);

export const generationById = defineLoader(async (ids: readonly string[], ctx: CatalogContext) =>
  byKey(ids, await ctx.db.select().from(generations).where(inArray(generations.id, [...ids])), (row) => row.id),
);

export const modelsByMake = defineLoader(async (makeIds: readonly string[], ctx: CatalogContext) =>
  groupByKey(
    makeIds,
    await ctx.db.select().from(models).where(inArray(models.makeId, [...makeIds])).orderBy(asc(models.name)),
    (row) => row.makeId,
  ),
);

export const generationsByModel = defineLoader(async (modelIds: readonly string[], ctx: CatalogContext) =>
  groupByKey(
    modelIds,
    await ctx.db
      .select()
      .from(generations)
      .where(inArray(generations.modelId, [...modelIds]))
      .orderBy(asc(generations.yearFrom)),
    (row) => row.modelId,
  ),
);
