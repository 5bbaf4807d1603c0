import { eq } from 'drizzle-orm';
import { badInput, conflict, notFound, requireId, requireRole } from '../framework';
import type { CatalogContext } from './context';
import { audit } from './privacy';
import { makes, models, type MakeRow, type ModelRow } from './db/schema';

export interface UpdateMakeInput {
  name?: string | null;
  country?: string | null;
}

export interface UpdateModelInput {
  name?: string | null;
  bodyType?: ModelRow['bodyType'] | null;
}

/** Admin-only correction of a make; replicas' cached copies of it and of the list are evicted. */
export async function updateMake(ctx: CatalogContext, id: string, input: UpdateMakeInput): Promise<MakeRow> {
  requireRole(ctx, 'ADMIN');
  const makeId = requireId(id, 'id');
  const change: Partial<MakeRow> = {};
  if (input.name != null) change.name = label(input.name, 'name');
  if (input.country != null) change.country = label(input.country, 'country');
  if (Object.keys(change).length === 0) throw badInput('Nothing to change: give a name or a country', 'input');
  const [row] = await ctx.db
    .update(makes)
    .set(change)
    .where(eq(makes.id, makeId))
    .returning()
    .catch(rethrowDuplicate(`A make named "${change.name}" exists already`));
  if (!row) throw notFound('Make', id);
  await audit.record(ctx.db, ctx, { action: 'catalog.make_updated', target: makeId, details: change });
  await ctx.cache.evict([
    ['make', makeId],
    ['makes', 'all'],
  ]);
  return row;
}

/** Admin-only correction of a model; its cached copy and its make's model list are evicted. */
export async function updateModel(ctx: CatalogContext, id: string, input: UpdateModelInput): Promise<ModelRow> {
  requireRole(ctx, 'ADMIN');
  const modelId = requireId(id, 'id');
  const change: Partial<ModelRow> = {};
  if (input.name != null) change.name = label(input.name, 'name');
  if (input.bodyType != null) change.bodyType = input.bodyType;
  if (Object.keys(change).length === 0) throw badInput('Nothing to change: give a name or a body type', 'input');
  const [row] = await ctx.db
    .update(models)
    .set(change)
    .where(eq(models.id, modelId))
    .returning()
    .catch(rethrowDuplicate(`This make already has a model named "${change.name}"`));
  if (!row) throw notFound('Model', id);
  await audit.record(ctx.db, ctx, { action: 'catalog.model_updated', target: modelId, details: change });
  await ctx.cache.evict([
    ['model', modelId],
    ['models-of-make', row.makeId],
  ]);
  return row;
}

function label(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw badInput(`${field} must be 1 to 100 characters`, field);
  return trimmed;
}

/** The unique indexes (make names; model names within a make) decide duplicates. */
function rethrowDuplicate(message: string) {
  return (error: unknown): never => {
    for (let cause: any = error; cause; cause = cause.cause) if (cause.code === '23505') throw conflict(message);
    throw error;
  };
}
