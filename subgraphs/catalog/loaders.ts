import { asc, inArray } from 'drizzle-orm';
import { byKey, defineLoader, groupByKey } from '../framework';
import { readThrough } from './cache';
import type { CatalogContext } from './context';
import { generations, makes, models, type MakeRow, type ModelRow } from './db/schema';

// Makes and models are the hot reference data (every offer names a model): read through the cache.
export const makeById = defineLoader((ids: readonly string[], ctx: CatalogContext) =>
  readThrough<MakeRow>(ctx.cache, 'make', ids, async (missing) =>
    byKey(missing, await ctx.db.select().from(makes).where(inArray(makes.id, missing)), (row) => row.id),
  ),
);

export const modelById = defineLoader((ids: readonly string[], ctx: CatalogContext) =>
  readThrough<ModelRow>(ctx.cache, 'model', ids, async (missing) =>
    byKey(missing, await ctx.db.select().from(models).where(inArray(models.id, missing)), (row) => row.id),
  ),
);

export const generationById = defineLoader(async (ids: readonly string[], ctx: CatalogContext) =>
  byKey(
    ids,
    await ctx.db
      .select()
      .from(generations)
      .where(inArray(generations.id, [...ids])),
    (row) => row.id,
  ),
);

export const modelsByMake = defineLoader(async (makeIds: readonly string[], ctx: CatalogContext) => {
  const lists = await readThrough<ModelRow[]>(ctx.cache, 'models-of-make', makeIds, async (missing) =>
    groupByKey(
      missing,
      await ctx.db.select().from(models).where(inArray(models.makeId, missing)).orderBy(asc(models.name)),
      (row) => row.makeId,
    ),
  );
  return lists.map((list) => list ?? []);
});

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

/** All makes, alphabetically: one cached list (there are a few hundred at most). */
export async function allMakes(ctx: CatalogContext): Promise<MakeRow[]> {
  const [list] = await readThrough<MakeRow[]>(ctx.cache, 'makes', ['all'], async () => [
    await ctx.db.select().from(makes).orderBy(asc(makes.name)),
  ]);
  return list ?? [];
}
